using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests;

/// <summary>Completion, misuse, error reporting and metrics of <see cref="SingleWriter{TResource}"/>.</summary>
public sealed class SingleWriterLifecycleTests
{
    [Fact]
    public async Task CompleteAsync_RunsEveryAcceptedWrite_DisposesOnWriterThread_IsIdempotent()
    {
        var started = new ManualResetEvent(false);
        var release = new ManualResetEvent(false);
        var db = new FakeDb();
        var writer = new SingleWriter<FakeDb>(() => db, new SingleWriterOptions<FakeDb> { Name = "closer" });
        Task blocker = writer.ExecuteAsync(_ =>
        {
            started.Set();
            Assert.True(release.WaitOne(TestLimits.Wait));
        });
        Assert.True(started.WaitOne(TestLimits.Wait));
        Task[] accepted = [.. Enumerable.Range(0, 10).Select(i => writer.ExecuteAsync(d => d.Insert(0, i)))];

        Task completion = writer.CompleteAsync();
        Assert.Same(completion, writer.CompleteAsync());
        Assert.False(completion.IsCompleted);
        release.Set();
        await completion.WaitAsync(TestLimits.Wait);

        await Task.WhenAll([blocker, .. accepted]).WaitAsync(TestLimits.Wait);
        Assert.Equal(10, db.Committed().Count);
        Assert.True(db.Disposed);
        Assert.Equal("closer", db.DisposedOnThread);
        await writer.DisposeAsync();
        Assert.True(writer.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Calls_AfterCompletion_ThrowInvalidOperationNamingTheWriter()
    {
        var writer = new SingleWriter<FakeDb>(() => new FakeDb(), new SingleWriterOptions<FakeDb> { Name = "done-writer" });
        await writer.CompleteAsync().WaitAsync(TestLimits.Wait);

        InvalidOperationException asyncError = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.ExecuteAsync(_ => 1).WaitAsync(TestLimits.Wait));
        Assert.Contains("done-writer", asyncError.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.ExecuteAsync(_ => { }).WaitAsync(TestLimits.Wait));
        Assert.Contains("done-writer", Assert.Throws<InvalidOperationException>(() => writer.Execute(_ => 1)).Message, StringComparison.Ordinal);
        Assert.Contains("done-writer", Assert.Throws<InvalidOperationException>(() => writer.Post(_ => { })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteAsync_CalledFromInsideAWrite_DrainsAndEnds()
    {
        var writer = new SingleWriter<FakeDb>(() => new FakeDb());
        Task completion = await writer.ExecuteAsync(_ => writer.CompleteAsync()).WaitAsync(TestLimits.Wait);
        await completion.WaitAsync(TestLimits.Wait);
        Assert.Same(completion, writer.Completion);
    }

    [Fact]
    public async Task CompleteAsync_ResourceDisposeThrows_FaultsCompletionAfterAllWrites()
    {
        var writer = new SingleWriter<ThrowingDisposable>(() => new ThrowingDisposable());
        Assert.Equal(1, await writer.ExecuteAsync(_ => 1).WaitAsync(TestLimits.Wait));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.CompleteAsync().WaitAsync(TestLimits.Wait));
    }

    [Fact]
    public async Task Post_WriteThrows_ReportsToOnError()
    {
        var reported = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var writer = new SingleWriter<FakeDb>(
            () => new FakeDb(),
            new SingleWriterOptions<FakeDb> { OnError = ex => reported.TrySetResult(ex) });

        writer.Post(_ => throw new FormatException("posted"));

        Exception error = await reported.Task.WaitAsync(TestLimits.Wait);
        Assert.IsType<FormatException>(error);
        Assert.Equal(1, await writer.ExecuteAsync(_ => 1).WaitAsync(TestLimits.Wait));
    }

    [Fact]
    public async Task Members_NullOrOutOfRangeArguments_ThrowNamingTheArgument()
    {
        Assert.Equal("open", Assert.Throws<ArgumentNullException>(() => new SingleWriter<FakeDb>(null!)).ParamName);
        var options = new SingleWriterOptions<FakeDb>();
        ArgumentOutOfRangeException capacity = Assert.Throws<ArgumentOutOfRangeException>(() => new SingleWriterOptions<FakeDb> { Capacity = 0 });
        Assert.Equal("Capacity", capacity.ParamName);
        Assert.StartsWith("SingleWriterOptions<FakeDb>.Capacity must be at least 1", capacity.Message, StringComparison.Ordinal);
        Assert.Equal("MaxBatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new SingleWriterOptions<FakeDb> { MaxBatchSize = 0 }).ParamName);
        Assert.Equal("ProcessExitTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => new SingleWriterOptions<FakeDb> { ProcessExitTimeout = TimeSpan.FromSeconds(-1) }).ParamName);
        Assert.Equal(1024, options.Capacity);
        Assert.Equal(1, options.MaxBatchSize);

        var writer = new SingleWriter<FakeDb>(() => new FakeDb());
        try
        {
            Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => { _ = writer.ExecuteAsync((Func<FakeDb, int>)null!); }).ParamName);
            Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => { _ = writer.ExecuteAsync((Action<FakeDb>)null!); }).ParamName);
            Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => writer.Execute<int>(null!)).ParamName);
            Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => writer.Post(null!)).ParamName);
        }
        finally
        {
            await writer.CompleteAsync().WaitAsync(TestLimits.Wait);
        }
    }

    [Fact]
    public async Task Metrics_AreRecordedOnTheThreadSafeMeter()
    {
        const string Name = "metrics-writer";
        using var recorder = new MeterRecorder("threadsafe.single_writer.", Name);

        var writer = new SingleWriter<FakeDb>(() => new FakeDb(), new SingleWriterOptions<FakeDb> { Name = Name });
        for (int i = 0; i < 3; i++)
        {
            await writer.ExecuteAsync(_ => i).WaitAsync(TestLimits.Wait);
        }

        using (var cts = new CancellationTokenSource())
        {
            var started = new ManualResetEvent(false);
            var release = new ManualResetEvent(false);
            Task blocker = writer.ExecuteAsync(_ =>
            {
                started.Set();
                Assert.True(release.WaitOne(TestLimits.Wait));
            });
            Assert.True(started.WaitOne(TestLimits.Wait));
            Task cancelled = writer.ExecuteAsync(_ => { }, cts.Token);
            await cts.CancelAsync();
            release.Set();
            await blocker.WaitAsync(TestLimits.Wait);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TestLimits.Wait));
        }

        await writer.CompleteAsync().WaitAsync(TestLimits.Wait);

        Assert.Equal(4, recorder.Sum("threadsafe.single_writer.batch.size")); // 3 writes + the blocker; the cancelled write never ran
        Assert.NotEmpty(recorder.Values("threadsafe.single_writer.queue.length"));
        Assert.Equal(0, recorder.Sum("threadsafe.single_writer.queue.length")); // +1 and -1 per write, cancelled ones included
        Assert.True(recorder.Sum("threadsafe.single_writer.write.duration") > 0);
    }

    [Fact]
    public async Task ProcessExitDrain_WritesQueued_RunsThemAllBeforeReturning()
    {
        var db = new FakeDb();
        var started = new ManualResetEvent(false);
        var writer = new SingleWriter<FakeDb>(() => db, new SingleWriterOptions<FakeDb> { ProcessExitTimeout = TestLimits.Wait });
        Task blocker = writer.ExecuteAsync(_ => Assert.True(started.WaitOne(TestLimits.Wait)));
        Task[] queued = [.. Enumerable.Range(0, 5).Select(i => writer.ExecuteAsync(d => d.Insert(0, i)))];
        started.Set();

        Assert.Equal(0, writer.DrainForProcessExit());

        Assert.True(writer.Completion.IsCompletedSuccessfully);
        await Task.WhenAll([blocker, .. queued]).WaitAsync(TestLimits.Wait);
        Assert.Equal(5, db.Committed().Count);
        Assert.Throws<InvalidOperationException>(() => writer.Post(_ => { }));
    }

    [Fact]
    public async Task ProcessExitDrain_WriteHangsPastTheTimeout_ReportsEveryUnacknowledgedWrite()
    {
        var release = new ManualResetEvent(false);
        var started = new ManualResetEvent(false);
        var writer = new SingleWriter<FakeDb>(() => new FakeDb(), new SingleWriterOptions<FakeDb> { ProcessExitTimeout = TimeSpan.Zero });
        Task hung = writer.ExecuteAsync(_ =>
        {
            started.Set();
            Assert.True(release.WaitOne(TestLimits.Wait));
        });
        Assert.True(started.WaitOne(TestLimits.Wait));
        Task[] queued = [.. Enumerable.Range(0, 2).Select(i => writer.ExecuteAsync(d => d.Insert(0, i)))];

        Assert.Equal(3, writer.DrainForProcessExit()); // the hung write and the two behind it

        release.Set();
        await Task.WhenAll([hung, .. queued]).WaitAsync(TestLimits.Wait);
        await writer.Completion.WaitAsync(TestLimits.Wait);
    }

    private sealed class ThrowingDisposable : IDisposable
    {
        public void Dispose() => throw new ObjectDisposedException("resource");
    }
}
