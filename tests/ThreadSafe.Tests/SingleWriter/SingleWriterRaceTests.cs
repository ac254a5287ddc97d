using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests;

/// <summary>Real-thread regression tests of <see cref="SingleWriter{TResource}"/> for narrow failure paths.</summary>
public sealed class SingleWriterRaceTests
{
    [Fact]
    public async Task Open_FailsAfterABlockedPostWasAdmitted_FailsEveryQueuedWriteAndReportsThePost()
    {
        string name = $"admitted-post-{Guid.NewGuid():N}";
        var openGate = new ManualResetEvent(false);
        var postWaiting = new ManualResetEvent(false);
        long queued = 0;
        using var listener = new MeterRecorder("threadsafe.single_writer.queue.length", name, (_, value) =>
        {
            // The second write accepted (the Post) is recorded just before its thread blocks for room.
            if (value > 0 && Interlocked.Add(ref queued, (long)value) == 2)
            {
                postWaiting.Set();
            }
        });

        var original = new IOException("cannot open");
        var reported = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = new SingleWriter<FakeDb>(
            () =>
            {
                Assert.True(openGate.WaitOne(TestLimits.Wait));
                throw original;
            },
            new SingleWriterOptions<FakeDb> { Name = name, Capacity = 1, OnError = ex => reported.TrySetResult(ex) });
        using var cts = new CancellationTokenSource();
        Task<int> cancelled = writer.ExecuteAsync(_ => 1, cts.Token); // takes the only slot
        var poster = TestThread.Start(() => writer.Post(_ => { }), "poster");
        Assert.True(postWaiting.WaitOne(TestLimits.Wait), "the Post did not wait for room");
        await cts.CancelAsync(); // frees the slot: the Post is admitted and returns
        poster.Join(); // fails if the admitted Post does not return
        Task<int> behind = writer.ExecuteAsync(_ => 3); // the queue is full again: waits for room
        openGate.Set();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TestLimits.Wait));
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => behind.WaitAsync(TestLimits.Wait));
        Assert.Same(original, error.InnerException);
        Exception postError = await reported.Task.WaitAsync(TestLimits.Wait);
        Assert.Same(original, postError.InnerException);
        await writer.Completion.WaitAsync(TestLimits.Wait); // no resource to close: completes normally
    }

    [Fact]
    public async Task ExecuteAsync_CancelledWhileEarlierWritesOfItsBatchRun_IsRemovedAndNeverRuns()
    {
        var db = new FakeDb();
        var blockerStarted = new ManualResetEvent(false);
        var releaseBlocker = new ManualResetEvent(false);
        var slowStarted = new ManualResetEvent(false);
        var releaseSlow = new ManualResetEvent(false);
        await using var writer = new SingleWriter<FakeDb>(() => db, FakeDb.Transactional(maxBatchSize: 8));
        Task blocker = writer.ExecuteAsync(_ =>
        {
            blockerStarted.Set();
            Assert.True(releaseBlocker.WaitOne(TestLimits.Wait));
        });
        Assert.True(blockerStarted.WaitOne(TestLimits.Wait));

        // Queued while the blocker runs: these three form the next batch.
        Task slow = writer.ExecuteAsync(d =>
        {
            d.Insert(0, 1);
            slowStarted.Set();
            Assert.True(releaseSlow.WaitOne(TestLimits.Wait));
        });
        using var cts = new CancellationTokenSource();
        bool ran = false;
        Task<int> cancelled = writer.ExecuteAsync(_ =>
        {
            ran = true;
            return 2;
        }, cts.Token);
        Task after = writer.ExecuteAsync(d => d.Insert(0, 3));
        releaseBlocker.Set();
        Assert.True(slowStarted.WaitOne(TestLimits.Wait)); // the batch runs; the cancellable write has not started yet
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TestLimits.Wait));
        releaseSlow.Set();
        await Task.WhenAll([blocker, slow, after]).WaitAsync(TestLimits.Wait);
        Assert.False(ran, "a write cancelled before it started must never run");
        Assert.Equal([(0, 1), (0, 3)], db.Committed());
        Assert.Equal(2, db.Batches);
    }
}
