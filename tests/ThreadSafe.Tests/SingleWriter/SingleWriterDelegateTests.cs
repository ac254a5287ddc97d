using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests;

/// <summary>What <see cref="SingleWriter{TResource}"/> does with the delegates users pass: async lambdas, and writes
/// submitted from <c>OnError</c> or from batch hooks.</summary>
public sealed class SingleWriterDelegateTests
{
    [Fact]
    public async Task ExecuteAsync_AsyncLambda_IsRefusedNamingTheParameter()
    {
        await using var writer = new SingleWriter<FakeDb>(() => new FakeDb());

        ArgumentException valued = Refused(() => writer.ExecuteAsync(async db =>
        {
            await Task.Yield();
            return 1;
        }));
        ArgumentException plain = Refused(() => writer.ExecuteAsync(async db => await Task.Yield()));
        ArgumentException action = Refused(() => writer.ExecuteAsync((Action<FakeDb>)(async db => await Task.Yield())));

        Assert.All([valued, plain, action], e => Assert.Equal("write", e.ParamName));
        Assert.Contains("async", valued.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostAndExecute_AsyncLambda_AreRefused()
    {
        await using var writer = new SingleWriter<FakeDb>(() => new FakeDb());

        Assert.Equal("write", Refused(() =>
        {
            writer.Post(async db => await Task.Yield());
            return Task.CompletedTask;
        }).ParamName);
        Assert.Equal("write", Refused(() => writer.Execute(async db =>
        {
            await Task.Yield();
            return 1;
        })).ParamName);
    }

    [Fact]
    public async Task ExecuteAsync_NonAsyncWriteReturningAStoredTask_IsAcceptedAsData()
    {
        Task stored = Task.CompletedTask;
        await using var writer = new SingleWriter<FakeDb>(() => new FakeDb());

        Task result = await writer.ExecuteAsync(_ => stored).WaitAsync(TestLimits.Wait);

        Assert.Same(stored, result);
    }

    [Fact]
    public async Task OnError_PostingThroughTheSameWriterAfterOpenFailed_ReportsOnceAndNeverRecurses()
    {
        using var openGate = new ManualResetEvent(false);
        int reports = 0;
        SingleWriter<FakeDb>? writer = null;
        writer = new SingleWriter<FakeDb>(
            () =>
            {
                Assert.True(openGate.WaitOne(TestLimits.Wait), "the test never let open fail");
                throw new IOException("cannot open");
            },
            new SingleWriterOptions<FakeDb>
            {
                OnError = error =>
                {
                    if (Interlocked.Increment(ref reports) > 100)
                    {
                        return; // unbounded recursion: stop it here so the assertion below reports it
                    }

                    writer!.Post(db => db.Insert(9, 9)); // refused (the writer could not open): throws out of OnError
                },
            });
        writer.Post(db => db.Insert(1, 1)); // accepted before open fails: its failure goes to OnError

        openGate.Set();
        await writer.Completion.WaitAsync(TestLimits.Wait);

        Assert.Equal(1, Volatile.Read(ref reports));
    }

    [Fact]
    public async Task OnError_WriteSubmittedFromIt_RunsInsideABatchAndIsCommitted()
    {
        bool inBatch = false;
        bool? errorWriteInBatch = null;
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        SingleWriter<FakeDb>? writer = null;
        SingleWriterOptions<FakeDb> options = FakeDb.Transactional(
            4,
            afterBegin: _ => inBatch = true,
            afterCommit: _ => inBatch = false,
            onError: _ => writer!.Post(db =>
            {
                errorWriteInBatch = inBatch;
                db.Insert(7, 7);
                recovered.TrySetResult();
            }));
        writer = new SingleWriter<FakeDb>(() => new FakeDb(), options);
        await using (writer)
        {
            writer.Post(_ => throw new FormatException("bad post"));
            await recovered.Task.WaitAsync(TestLimits.Wait);
            List<(int, int)> committed = await writer.ExecuteAsync(db => db.Committed()).WaitAsync(TestLimits.Wait);

            Assert.True(errorWriteInBatch, "the write submitted from OnError ran outside any batch");
            Assert.Contains((7, 7), committed);
        }
    }

    [Fact]
    public async Task CommitBatch_WriteSubmittedFromTheHook_RunsInTheNextBatchNotInsideTheHook()
    {
        int batches = 0;
        Task<int>? fromHook = null;
        SingleWriter<FakeDb>? writer = null;
        SingleWriterOptions<FakeDb> options = FakeDb.Transactional(
            4,
            afterCommit: _ =>
            {
                if (Interlocked.Increment(ref batches) == 1)
                {
                    fromHook = writer!.ExecuteAsync(_ => Volatile.Read(ref batches));
                }
            });
        writer = new SingleWriter<FakeDb>(() => new FakeDb(), options);
        await using (writer)
        {
            await writer.ExecuteAsync(db => db.Insert(1, 1)).WaitAsync(TestLimits.Wait);
            Assert.NotNull(fromHook);
            int batchSeen = await fromHook.WaitAsync(TestLimits.Wait);

            Assert.Equal(1, batchSeen); // ran in the second batch, after the first one's commit returned
            Assert.Equal(2, Volatile.Read(ref batches));
        }
    }

    // The exception a call throws synchronously (a refusal never comes back as a faulted task).
    private static ArgumentException Refused(Func<Task> call)
    {
        try
        {
            _ = call();
        }
        catch (ArgumentException error)
        {
            return error;
        }

        throw new Xunit.Sdk.XunitException("the call was accepted");
    }
}
