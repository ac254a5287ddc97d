using ThreadSafe.Testing;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.AsyncGuarded;

/// <summary>Real-thread tests of <see cref="AsyncGuarded{T}"/>: exclusion, FIFO order, cancellation, re-entrancy.</summary>
public sealed class AsyncGuardedConcurrencyTests
{
    private sealed class Counter
    {
        public int Value;
    }

    // Holds the lock with an async delegate suspended on a gate; returns the holder's task.
    private static async Task<(Task Holder, TaskCompletionSource Gate)> HoldAsync<T>(AsyncGuarded<T> guarded)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task holder = guarded.WriteAsync(async (v, ct) =>
        {
            entered.SetResult();
            await gate.Task;
        }).AsTask();
        await entered.Task.WaitAsync(TestLimits.Wait);
        return (holder, gate);
    }

    [Fact]
    public async Task WriteAsync_ManyTasksReadModifyWriteAcrossAwait_CountExact()
    {
        int tasks = TestLimits.Stress ? 16 : 8, perTask = TestLimits.Size(quick: 300, stress: 5_000);
        var guarded = new AsyncGuarded<Counter>(new Counter());
        await Concurrently.RunAsync(
            async _ =>
            {
                for (int i = 0; i < perTask; i++)
                {
                    if (i % 2 == 0)
                    {
                        await guarded.WriteAsync(async (c, ct) =>
                        {
                            int seen = c.Value;
                            await Task.Yield(); // resumes on another thread, still holding the lock
                            c.Value = seen + 1;
                        });
                    }
                    else
                    {
                        await guarded.WriteAsync(static c => c.Value++);
                    }
                }
            },
            new ConcurrentRunOptions { Threads = tasks, Timeout = TestLimits.StressRun });
        Assert.Equal(tasks * perTask, await guarded.ReadAsync(c => c.Value).AsTask().WaitAsync(TestLimits.Wait));
    }

    [Fact]
    public async Task WriteAsync_WaitersQueuedInKnownOrder_RunInThatOrder()
    {
        const int Waiters = 50;
        var guarded = new AsyncGuarded<List<int>>([]);
        (Task holder, TaskCompletionSource gate) = await HoldAsync(guarded);

        // Each call joins the queue before it returns, so the call order is the queue order.
        var waiters = new Task[Waiters];
        for (int i = 0; i < Waiters; i++)
        {
            int index = i;
            waiters[i] = (i % 3) switch
            {
                0 => guarded.WriteAsync(i, static (l, x) => l.Add(x)).AsTask(),
                1 => guarded.WriteAsync(async (l, ct) =>
                {
                    await Task.Yield();
                    l.Add(index);
                }).AsTask(),
                _ => guarded.UpdateAsync(i, static (l, x) =>
                {
                    l.Add(x);
                    return l;
                }).AsTask(),
            };
            Assert.False(waiters[i].IsCompleted);
        }

        gate.SetResult();
        await holder.WaitAsync(TestLimits.Wait);
        await Task.WhenAll(waiters).WaitAsync(TestLimits.Wait);
        Assert.Equal(Enumerable.Range(0, Waiters), await guarded.ReadAsync(l => l.ToArray()).AsTask().WaitAsync(TestLimits.Wait));
    }

    [Fact]
    public async Task WriteAsync_QueuedWaiterCancelled_NeverRunsAndDoesNotBlockOthers()
    {
        var guarded = new AsyncGuarded<List<string>>([]);
        (Task holder, TaskCompletionSource gate) = await HoldAsync(guarded);
        using var cts = new CancellationTokenSource();

        Task first = guarded.WriteAsync(l => l.Add("first")).AsTask();
        Task cancelled = guarded.WriteAsync(l => l.Add("cancelled"), cts.Token).AsTask();
        Task last = guarded.WriteAsync(async (l, ct) =>
        {
            await Task.Yield();
            l.Add("last");
        }).AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TestLimits.Wait));
        Assert.True(cancelled.IsCanceled);
        Assert.False(first.IsCompleted); // cancellation removed only its own waiter; the lock is still held

        gate.SetResult();
        await Task.WhenAll(holder, first, last).WaitAsync(TestLimits.Wait);
        Assert.Equal(["first", "last"], await guarded.ReadAsync(l => l.ToArray()).AsTask().WaitAsync(TestLimits.Wait));
        Assert.True(guarded.WriteAsync(l => l.Add("after")).IsCompletedSuccessfully); // not leaked: free again
    }

    [Fact]
    public async Task WriteAsync_HeadWaiterCancelled_LockPassesToNext()
    {
        var guarded = new AsyncGuarded<List<int>>([]);
        (Task holder, TaskCompletionSource gate) = await HoldAsync(guarded);
        using var cts = new CancellationTokenSource();
        Task<int> head = guarded.ReadAsync(l => l.Count, cts.Token).AsTask();
        Task next = guarded.WriteAsync(l => l.Add(1)).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => head.WaitAsync(TestLimits.Wait));
        gate.SetResult();
        await Task.WhenAll(holder, next).WaitAsync(TestLimits.Wait);
        Assert.Equal(1, await guarded.ReadAsync(l => l.Count).AsTask().WaitAsync(TestLimits.Wait));
    }

    [Fact]
    public async Task WriteAsync_CancellationRacingWithRelease_EitherRunsOrIsCanceledNeverLeaks()
    {
        int rounds = TestLimits.Size(quick: 300, stress: 5_000);
        var guarded = new AsyncGuarded<Counter>(new Counter());
        int ran = 0, canceled = 0;
        for (int round = 0; round < rounds; round++)
        {
            (Task holder, TaskCompletionSource gate) = await HoldAsync(guarded);
            using var cts = new CancellationTokenSource();
            Task waiter = guarded.WriteAsync(static c => c.Value++, cts.Token).AsTask();
            Task cancel = Task.Run(cts.Cancel);
            gate.SetResult(); // release races with the cancellation
            await Task.WhenAll(cancel, holder).WaitAsync(TestLimits.Wait);
            try
            {
                await waiter.WaitAsync(TestLimits.Wait);
                ran++;
            }
            catch (OperationCanceledException)
            {
                canceled++;
            }
        }

        Assert.Equal(ran, await guarded.ReadAsync(c => c.Value).AsTask().WaitAsync(TestLimits.Wait)); // a canceled waiter never ran
        Assert.Equal(rounds, ran + canceled);
    }

    [Fact]
    public async Task AsyncOverload_FromInsideSyncDelegate_ThrowsLockRecursion_AndTheLockIsFreeAfterwards()
    {
        var guarded = new AsyncGuarded<int>(0, copy: v => v);
        Exception? caught = null;
        await guarded.WriteAsync(v =>
        {
            caught = Record.Exception(() => { _ = guarded.WriteAsync((x, ct) => ValueTask.CompletedTask).AsTask(); });
        }).AsTask().WaitAsync(TestLimits.Wait);
        Assert.IsType<LockRecursionException>(caught);
        Assert.True(guarded.WriteAsync(_ => { }).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Calls_FromInsideSyncDelegateAfterHandOff_ThrowLockRecursion()
    {
        var guarded = new AsyncGuarded<int>(0);
        (Task holder, TaskCompletionSource gate) = await HoldAsync(guarded);
        Exception? caught = null;
        Task queued = guarded.WriteAsync(v => { caught = Record.Exception(() => { _ = guarded.ReadAsync(x => x).AsTask(); }); }).AsTask();
        gate.SetResult();
        await Task.WhenAll(holder, queued).WaitAsync(TestLimits.Wait);
        Assert.IsType<LockRecursionException>(caught);
    }

    [Fact]
    public async Task Calls_FromInsideAsyncDelegateAcrossAwaits_ThrowLockRecursion()
    {
        var guarded = new AsyncGuarded<int>(0);
        Exception? beforeAwait = null, afterAwait = null;
        await guarded.WriteAsync(async (v, ct) =>
        {
            beforeAwait = Record.Exception(() => { _ = guarded.ReadAsync(x => x).AsTask(); });
            await Task.Yield();
            await Task.Run(() => { }); // certainly resumes on a thread-pool thread
            afterAwait = await Record.ExceptionAsync(async () => await guarded.WriteAsync(x => { }));
        }).AsTask().WaitAsync(TestLimits.Wait);
        Assert.IsType<LockRecursionException>(beforeAwait);
        Assert.IsType<LockRecursionException>(afterAwait);
        Assert.True(guarded.WriteAsync(_ => { }).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Calls_FromWorkForkedInDelegateAfterItEnds_AreNotRecursion()
    {
        var guarded = new AsyncGuarded<Counter>(new Counter());
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task? forked = null;
        await guarded.WriteAsync(async (c, ct) =>
        {
            await Task.Yield();
            forked = Task.Run(async () =>
            {
                await go.Task;
                await guarded.WriteAsync(static x => x.Value++);
            });
        }).AsTask().WaitAsync(TestLimits.Wait);
        go.SetResult(); // the delegate has ended: the forked work is an ordinary caller now
        await forked!.WaitAsync(TestLimits.Wait);
        Assert.Equal(1, await guarded.ReadAsync(c => c.Value).AsTask().WaitAsync(TestLimits.Wait));
    }

    [Fact]
    public async Task Calls_FromOtherInstanceInsideDelegate_AreAllowed()
    {
        var outer = new AsyncGuarded<int>(1);
        var inner = new AsyncGuarded<int>(2);
        int sum = await outer.ReadAsync(async (o, ct) => o + await inner.ReadAsync(i => i, ct));
        Assert.Equal(3, sum);
    }
}
