using ThreadSafe.Diagnostics;

namespace ThreadSafe;

/// <content>What the guard tells about its holder and waiters, and its contention metrics.</content>
public sealed partial class AsyncGuarded<T>
{
    /// <summary>Gets what is known of the lock now: whether it is held, how many wait, and, while tracked, by which flow and since when.</summary>
    /// <returns>The lock's information; see <see cref="LockInfo"/> for what is exact when diagnostics are off.</returns>
    /// <remarks>Takes the internal queue lock for a moment (never waits for the guard itself): safe to call from anywhere, including a delegate of this guard.</remarks>
    public LockInfo GetLockInfo()
    {
        bool held;
        int waiting = 0;
        lock (_gate)
        {
            held = _held;
            for (Waiter? waiter = _head; waiter is not null; waiter = waiter.Next)
            {
                waiting++;
            }
        }

        return LockInfo.Create(this, Name, held, waiting, _identity.TrackedState);
    }

    /// <summary>Gets the value for the debugger's expanded view, read without the lock (the debugger has stopped every thread).</summary>
    T IInspectableGuard<T>.ValueForDebugger => _value;

    /// <summary>Gets "free", or "held" with the number of waiters, and, tracked, by whom and for how long; for the debugger.</summary>
    internal string DebuggerState => GetLockInfo().Summary();

    // Called by the holder that released: the wait (waiter's start to hand-off) and the hold (hand-off to release).
    private void RecordMetrics(LockEntry ended, long releasedAt)
    {
        TimeProvider clock = LockDiagnostics.Clock;
        TimeSpan wait = ended.Waited ? clock.GetElapsedTime(ended.WaitStart, ended.Since) : TimeSpan.Zero;
        LockMetrics.Acquisition(_identity.TrackedState!, LockAccess.Exclusive, wait, clock.GetElapsedTime(ended.Since, releasedAt));
    }
}
