using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests;

/// <summary>Unit and misuse tests of <see cref="SingleWriter{TResource}"/> on real threads.</summary>
public sealed class SingleWriterTests
{
    [Fact]
    public async Task ExecuteAsync_RunsOnTheNamedWriterThreadThatOpenedTheResource()
    {
        string? openThread = null;
        await using var writer = new SingleWriter<FakeDb>(
            () =>
            {
                openThread = Thread.CurrentThread.Name;
                return new FakeDb();
            },
            new SingleWriterOptions<FakeDb> { Name = "db-writer" });

        (string? name, bool isWriter) = await writer.ExecuteAsync(_ => (Thread.CurrentThread.Name, writer.IsWriterThread)).WaitAsync(TestLimits.Wait);

        Assert.Equal("db-writer", name);
        Assert.Equal("db-writer", openThread);
        Assert.True(isWriter);
        Assert.False(writer.IsWriterThread);
        Assert.Equal("db-writer", writer.Name);
        Assert.Contains("db-writer", writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_ActionAndExecuteAndPost_AllRunInSubmissionOrder()
    {
        var posted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var writer = new SingleWriter<FakeDb>(() => new FakeDb());

        await writer.ExecuteAsync(db => db.Insert(0, 1)).WaitAsync(TestLimits.Wait);
        int two = writer.Execute(db =>
        {
            db.Insert(0, 2);
            return 2;
        });
        writer.Post(db => db.Insert(0, 3));
        writer.Post(_ => posted.SetResult());
        await posted.Task.WaitAsync(TestLimits.Wait);
        List<(int, int)> committed = await writer.ExecuteAsync(db => db.Committed()).WaitAsync(TestLimits.Wait);

        Assert.Equal(2, two);
        Assert.Equal([(0, 1), (0, 2), (0, 3)], committed);
    }

    [Fact]
    public async Task ExecuteAsync_WriteThrows_FailsOnlyThatCallerAndWriterKeepsRunning()
    {
        await using var writer = new SingleWriter<FakeDb>(() => new FakeDb());

        Task<int> bad = writer.ExecuteAsync<int>(_ => throw new FormatException("bad write"));
        Task<int> good = writer.ExecuteAsync(_ => 42);

        FormatException error = await Assert.ThrowsAsync<FormatException>(() => bad.WaitAsync(TestLimits.Wait));
        Assert.Equal("bad write", error.Message);
        Assert.Equal(42, await good.WaitAsync(TestLimits.Wait));
        Assert.Throws<FormatException>(() => writer.Execute<int>(_ => throw new FormatException("sync")));
        Assert.Equal(7, writer.Execute(_ => 7));
    }

    [Fact]
    public async Task Calls_OnTheWriterThread_RunInlineInsteadOfDeadlocking()
    {
        await using var writer = new SingleWriter<FakeDb>(() => new FakeDb());

        int result = await writer.ExecuteAsync(db =>
        {
            int inner = writer.Execute(_ => 1);
            Task<int> innerAsync = writer.ExecuteAsync(_ => 2);
            Assert.True(innerAsync.IsCompletedSuccessfully, "an inline ExecuteAsync completes before returning");
            writer.Post(d => d.Insert(9, 9));
            return inner + innerAsync.Result;
        }).WaitAsync(TestLimits.Wait);

        Assert.Equal(3, result);
        Assert.Contains((9, 9), await writer.ExecuteAsync(db => db.Committed()).WaitAsync(TestLimits.Wait));
    }

    [Fact]
    public async Task Calls_WhenOpenThrows_FailWithWrapperHoldingTheOriginal_NeverHang()
    {
        var original = new IOException("disk not found");
        var release = new ManualResetEvent(false);
        var writer = new SingleWriter<FakeDb>(
            () =>
            {
                Assert.True(release.WaitOne(TestLimits.Wait));
                throw original;
            },
            new SingleWriterOptions<FakeDb> { Name = "broken" });

        Task<int> queuedBeforeFailure = writer.ExecuteAsync(_ => 1);
        release.Set();

        InvalidOperationException queued = await Assert.ThrowsAsync<InvalidOperationException>(() => queuedBeforeFailure.WaitAsync(TestLimits.Wait));
        Assert.Same(original, queued.InnerException);
        await writer.Completion.WaitAsync(TestLimits.Wait);
        InvalidOperationException later = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.ExecuteAsync(_ => 2).WaitAsync(TestLimits.Wait));
        Assert.Same(original, later.InnerException);
        Assert.Contains("broken", later.Message, StringComparison.Ordinal);
        Assert.Same(original, Assert.Throws<InvalidOperationException>(() => writer.Execute(_ => 3)).InnerException);
        Assert.Same(original, Assert.Throws<InvalidOperationException>(() => writer.Post(_ => { })).InnerException);
        await writer.CompleteAsync().WaitAsync(TestLimits.Wait);
    }

    [Fact]
    public async Task ExecuteAsync_CancelledBeforeStart_IsRemovedAndNeverRuns()
    {
        var started = new ManualResetEvent(false);
        var release = new ManualResetEvent(false);
        await using var writer = new SingleWriter<FakeDb>(() => new FakeDb());
        Task blocker = writer.ExecuteAsync(_ =>
        {
            started.Set();
            Assert.True(release.WaitOne(TestLimits.Wait));
        });
        Assert.True(started.WaitOne(TestLimits.Wait));

        using var cts = new CancellationTokenSource();
        bool ran = false;
        Task<int> cancelled = writer.ExecuteAsync(_ =>
        {
            ran = true;
            return 1;
        }, cts.Token);
        Task<int> after = writer.ExecuteAsync(_ => 2);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TestLimits.Wait));
        Assert.True(cancelled.IsCanceled);
        release.Set();
        await blocker.WaitAsync(TestLimits.Wait);
        Assert.Equal(2, await after.WaitAsync(TestLimits.Wait));
        Assert.False(ran, "a write cancelled before it started must never run");
    }

    [Fact]
    public async Task ExecuteAsync_CancelledAfterStart_RunsToCompletion()
    {
        var started = new ManualResetEvent(false);
        var release = new ManualResetEvent(false);
        await using var writer = new SingleWriter<FakeDb>(() => new FakeDb());
        using var cts = new CancellationTokenSource();

        Task<int> running = writer.ExecuteAsync(_ =>
        {
            started.Set();
            Assert.True(release.WaitOne(TestLimits.Wait));
            return 5;
        }, cts.Token);
        Assert.True(started.WaitOne(TestLimits.Wait));
        await cts.CancelAsync();
        release.Set();

        Assert.Equal(5, await running.WaitAsync(TestLimits.Wait));
    }

    [Fact]
    public async Task ExecuteAsync_QueueFull_WaitsForASlotAndCanBeCancelledWhileWaiting()
    {
        var started = new ManualResetEvent(false);
        var release = new ManualResetEvent(false);
        await using var writer = new SingleWriter<FakeDb>(() => new FakeDb(), new SingleWriterOptions<FakeDb> { Capacity = 1 });
        Task blocker = writer.ExecuteAsync(_ =>
        {
            started.Set();
            Assert.True(release.WaitOne(TestLimits.Wait));
        });
        Assert.True(started.WaitOne(TestLimits.Wait)); // the blocker left the queue: one slot
        Task<int> queued = writer.ExecuteAsync(_ => 1); // takes the only slot
        using var cts = new CancellationTokenSource();
        bool ran = false;
        Task<int> waiting = writer.ExecuteAsync(_ =>
        {
            ran = true;
            return 2;
        }, cts.Token);

        Assert.False(waiting.IsCompleted, "the queue is full, so the third write waits for a slot");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestLimits.Wait));
        Assert.Throws<OperationCanceledException>(() => writer.Execute(_ => 3, cts.Token));
        release.Set();
        await blocker.WaitAsync(TestLimits.Wait);
        Assert.Equal(1, await queued.WaitAsync(TestLimits.Wait));
        Assert.Equal(4, await writer.ExecuteAsync(_ => 4).WaitAsync(TestLimits.Wait));
        Assert.False(ran);
        Assert.Equal(1, writer.Capacity);
    }

    [Fact]
    public async Task GroupCommit_AcknowledgesAfterCommit_RollsBackAThrowingWriteAlone()
    {
        var started = new ManualResetEvent(false);
        var release = new ManualResetEvent(false);
        var db = new FakeDb();
        await using var writer = new SingleWriter<FakeDb>(() => db, FakeDb.Transactional(maxBatchSize: 16));
        Task first = writer.ExecuteAsync(d =>
        {
            d.Insert(0, 0);
            started.Set();
            Assert.True(release.WaitOne(TestLimits.Wait));
        });
        Assert.True(started.WaitOne(TestLimits.Wait));

        // Queued while the first batch runs: these five form the second batch.
        var acks = new List<Task<bool>>();
        for (int i = 1; i <= 5; i++)
        {
            int seq = i;
            Task write = seq == 3
                ? writer.ExecuteAsync(d =>
                {
                    d.Insert(0, seq);
                    throw new FormatException("write 3 fails");
                })
                : writer.ExecuteAsync(d => d.Insert(0, seq));
            acks.Add(write.ContinueWith(t => t.IsCompletedSuccessfully && db.IsCommitted(0, seq), TaskScheduler.Default));
        }

        release.Set();
        await first.WaitAsync(TestLimits.Wait);
        bool[] committedWhenAcknowledged = await Task.WhenAll(acks).WaitAsync(TestLimits.Wait);

        Assert.Equal([true, true, false, true, true], committedWhenAcknowledged);
        Assert.Equal([(0, 0), (0, 1), (0, 2), (0, 4), (0, 5)], db.Committed());
        Assert.Equal(2, db.Batches);
        Assert.Equal(1, db.Log().Count(e => e == "ROLLBACK TO"));
        Assert.Equal(1, db.MaxConcurrentUsers);
    }

    [Fact]
    public async Task GroupCommit_CommitFails_FailsEveryWriteOfTheBatch()
    {
        var started = new ManualResetEvent(false);
        var release = new ManualResetEvent(false);
        var db = new FakeDb();
        await using var writer = new SingleWriter<FakeDb>(() => db, FakeDb.Transactional(maxBatchSize: 8));
        Task first = writer.ExecuteAsync(_ =>
        {
            started.Set();
            Assert.True(release.WaitOne(TestLimits.Wait));
        });
        Assert.True(started.WaitOne(TestLimits.Wait));
        var commitError = new IOException("disk full");
        Task[] batch =
        [
            .. Enumerable.Range(1, 3).Select(i => writer.ExecuteAsync(d => d.Insert(1, i))),
            writer.ExecuteAsync(d => d.FailNextCommit = commitError), // same batch: its commit throws
        ];

        release.Set();
        await first.WaitAsync(TestLimits.Wait);
        foreach (Task t in batch)
        {
            Assert.Same(commitError, await Assert.ThrowsAsync<IOException>(() => t.WaitAsync(TestLimits.Wait)));
        }

        Assert.Empty(db.Committed());
        Assert.Contains("ROLLBACK", db.Log());
        await writer.ExecuteAsync(d => d.Insert(2, 1)).WaitAsync(TestLimits.Wait);
        Assert.Equal([(2, 1)], db.Committed());
    }
}
