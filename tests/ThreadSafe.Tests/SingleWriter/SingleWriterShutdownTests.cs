using System.Diagnostics;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests;

/// <summary>Bounded shutdown of <see cref="SingleWriter{TResource}"/>: waits that stop waiting, tokens for writes,
/// process-exit drains side by side.</summary>
public sealed class SingleWriterShutdownTests
{
    [Fact]
    public async Task CompleteAsync_TokenCancelledWhileAWriteHangs_StopsWaitingAndLosesNoWrite()
    {
        using var gate = new ManualResetEvent(false);
        using var started = new ManualResetEvent(false);
        var db = new FakeDb();
        var writer = new SingleWriter<FakeDb>(() => db);
        Task hung = writer.ExecuteAsync(d =>
        {
            started.Set();
            Assert.True(gate.WaitOne(TestLimits.Wait), "the test never released the write");
            d.Insert(1, 1);
        });
        Assert.True(started.WaitOne(TestLimits.Wait));
        Task behind = writer.ExecuteAsync(d => d.Insert(2, 2));
        using var cts = new CancellationTokenSource();

        Task completing = writer.CompleteAsync(cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => completing.WaitAsync(TestLimits.Wait));
        Assert.False(writer.Completion.IsCompleted, "cancelling the wait must not end the writer");
        gate.Set();
        await Task.WhenAll(hung, behind).WaitAsync(TestLimits.Wait); // neither lost nor failed: they ran and committed
        await writer.Completion.WaitAsync(TestLimits.Wait);
        Assert.Equal(2, db.Committed().Count);
    }

    [Fact]
    public async Task ExecuteAsync_TokenOverload_RunningWriteSeesTheCallersCancellation()
    {
        using var started = new ManualResetEvent(false);
        await using var writer = new SingleWriter<FakeDb>(() => new FakeDb());
        using var cts = new CancellationTokenSource();

        Task<bool> write = writer.ExecuteAsync((_, token) =>
        {
            started.Set();
            token.WaitHandle.WaitOne(TimeSpan.FromSeconds(10));
            return token.IsCancellationRequested;
        }, cts.Token);
        Assert.True(started.WaitOne(TestLimits.Wait));
        await cts.CancelAsync();

        Assert.True(await write.WaitAsync(TestLimits.Wait), "the running write's token was not cancelled with the caller's");
    }

    [Fact]
    public async Task CompleteAsync_TokenCancelled_CancelsTheTokensOfWritesInsteadOfWaitingForThem()
    {
        using var started = new ManualResetEvent(false);
        var writer = new SingleWriter<FakeDb>(() => new FakeDb());
        Task write = writer.ExecuteAsync((_, token) =>
        {
            started.Set();
            token.WaitHandle.WaitOne(TimeSpan.FromSeconds(10));
            token.ThrowIfCancellationRequested();
        });
        Assert.True(started.WaitOne(TestLimits.Wait));
        using var cts = new CancellationTokenSource();

        Task completing = writer.CompleteAsync(cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => completing.WaitAsync(TestLimits.Wait));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(TestLimits.Wait));
        await writer.Completion.WaitAsync(TestLimits.Wait);
    }

    [Fact]
    public async Task ProcessExitDrain_ThreeHungWriters_WaitSideBySideWithinOneTimeout()
    {
        TimeSpan exitTimeout = TimeSpan.FromSeconds(2);
        using var gate = new ManualResetEvent(false);
        var writers = new List<SingleWriter<FakeDb>>();
        for (int i = 0; i < 3; i++)
        {
            using var started = new ManualResetEvent(false);
            var writer = new SingleWriter<FakeDb>(() => new FakeDb(), new SingleWriterOptions<FakeDb> { ProcessExitTimeout = exitTimeout });
            _ = writer.ExecuteAsync(_ =>
            {
                started.Set();
                Assert.True(gate.WaitOne(TestLimits.Wait));
            });
            Assert.True(started.WaitOne(TestLimits.Wait));
            writers.Add(writer);
        }

        var clock = Stopwatch.StartNew();
        int[] unacknowledged = SingleWriterProcessExit.DrainSideBySide([.. writers]);
        TimeSpan took = clock.Elapsed;
        gate.Set();

        Assert.Equal("1,1,1", string.Join(",", unacknowledged));
        Assert.True(took < exitTimeout * 2, $"three hung writers took {took.TotalSeconds:0.0} s to drain with a {exitTimeout.TotalSeconds} s timeout: one after another");
        foreach (SingleWriter<FakeDb> writer in writers)
        {
            await writer.Completion.WaitAsync(TestLimits.Wait);
        }
    }
}
