using Microsoft.Coyote.Specifications;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>Systematic schedule exploration of <see cref="AsyncGuarded{T}"/>.</summary>
/// <remarks>
/// Calls go through <c>await</c> or <c>.AsTask()</c> on the returned ValueTask: the Coyote rewriter
/// produces invalid IL for ValueTask locals that are awaited later, boxed, or passed as parameters.
/// </remarks>
public sealed class AsyncGuardedCoyoteTests(ITestOutputHelper output)
{
    private sealed class Counter
    {
        public int Value;
        public int CancelledRuns;
    }

    [Fact]
    public void WriteAsync_ReadModifyWriteWithAwaitInside_NeverLosesAnUpdate()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guarded = new AsyncGuarded<Counter>(new Counter());
                Task[] workers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
                {
                    await guarded.WriteAsync(async (c, ct) =>
                    {
                        int seen = c.Value;
                        await Task.Yield();
                        c.Value = seen + 1;
                    });
                    await guarded.WriteAsync(w, static (c, _) =>
                    {
                        int seen = c.Value;
                        Thread.Yield();
                        c.Value = seen + 1;
                    });
                })).ToArray();
                await Task.WhenAll(workers);
                int total = await guarded.ReadAsync(c => c.Value);
                Specification.Assert(total == 6, $"Expected 6 increments, saw {total}.");
            },
            output);
    }

    [Fact]
    public void WriteAsync_CancellationRacingWithRelease_CancelledWaiterNeverRunsAndLockNotLeaked()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guarded = new AsyncGuarded<Counter>(new Counter());
                using var cts = new CancellationTokenSource();
                Task holder = Task.Run(async () => await guarded.WriteAsync(async (c, ct) =>
                {
                    await Task.Yield();
                    c.Value += 10;
                }));
                Task<bool> waiter = Task.Run(async () =>
                {
                    try
                    {
                        await guarded.WriteAsync(static c => c.CancelledRuns++, cts.Token);
                        return true;
                    }
                    catch (OperationCanceledException)
                    {
                        return false;
                    }
                });
                Task behind = Task.Run(async () => await guarded.WriteAsync(static c => c.Value += 1));
                Task canceller = Task.Run(cts.Cancel);
                await Task.WhenAll(new[] { holder, waiter, behind, canceller });

                // The final acquire completes only if no waiter leaked the lock (else Coyote reports a deadlock).
                (int value, int runs) = await guarded.ReadAsync(static c => (c.Value, c.CancelledRuns));
                Specification.Assert(value == 11, $"Expected 11, saw {value}: an update was lost or ran twice.");
                Specification.Assert(runs == (waiter.Result ? 1 : 0), $"Waiter {(waiter.Result ? "succeeded" : "was cancelled")} but its delegate ran {runs} time(s).");
            },
            output);
    }

    [Fact]
    public void WriteAsync_WaitersQueuedWhileHeld_ServedInOrderAheadOfNewcomer()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guarded = new AsyncGuarded<List<int>>([]);
                var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Task holder = guarded.WriteAsync(async (l, ct) => await gate.Task).AsTask(); // uncontended: held now
                Task[] queued = Enumerable.Range(1, 3).Select(i => guarded.WriteAsync(i, static (l, x) => l.Add(x)).AsTask()).ToArray();
                Task release = Task.Run(gate.SetResult);
                Task newcomer = Task.Run(async () => await guarded.WriteAsync(static l => l.Add(99)));
                await Task.WhenAll(new[] { holder, release, newcomer }.Concat(queued).ToArray());
                int[] order = await guarded.ReadAsync(static l => l.ToArray());
                Specification.Assert(string.Join(",", order) == "1,2,3,99", $"Not FIFO: {string.Join(",", order)}.");
            },
            output);
    }

    [Fact]
    public void Calls_FromInsideAsyncDelegateAfterAwait_ThrowLockRecursionOthersDoNot()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guarded = new AsyncGuarded<Counter>(new Counter());
                Task<bool> inner = Task.Run(async () =>
                {
                    bool detected = false;
                    await guarded.WriteAsync(async (c, ct) =>
                    {
                        await Task.Yield();
                        try
                        {
                            await guarded.WriteAsync(static x => x.Value++);
                        }
                        catch (LockRecursionException)
                        {
                            detected = true;
                        }
                    });
                    return detected;
                });
                Task other = Task.Run(async () => await guarded.WriteAsync(static c => c.Value += 10));
                await Task.WhenAll(new Task[] { inner, other }); // 'other' throwing LockRecursionException would fail here
                int value = await guarded.ReadAsync(static c => c.Value);
                Specification.Assert(inner.Result, "A call from inside the delegate was not detected as recursion.");
                Specification.Assert(value == 10, $"Expected 10, saw {value}.");
            },
            output);
    }

    [Fact]
    public void LeakyQueue_CancelledWaiterNotRemoved_IsCaught_ProvingTheHarnessCanFail()
    {
        CoyoteRun.ExpectBug(
            async () =>
            {
                var gate = new LeakyAsyncLock();
                using var cts = new CancellationTokenSource();
                Task holder = Task.Run(async () =>
                {
                    await gate.AcquireAsync(CancellationToken.None);
                    await Task.Yield();
                    gate.Release();
                });
                Task waiter = Task.Run(async () =>
                {
                    try
                    {
                        await gate.AcquireAsync(cts.Token);
                        gate.Release();
                    }
                    catch (OperationCanceledException)
                    {
                        // Cancelled while queued: the broken queue keeps it and will hand it the lock.
                    }
                });
                Task canceller = Task.Run(cts.Cancel);
                await Task.WhenAll(new[] { holder, waiter, canceller });
                await gate.AcquireAsync(CancellationToken.None); // never completes once the lock leaked
                gate.Release();
            },
            output);
    }
}
