using System.Diagnostics;
using System.Runtime.CompilerServices;
using ThreadSafe.Diagnostics;

namespace ThreadSafe;

/// <content>The diagnostics side of the guard: the instrumented acquisition (lock order, holder tracking, metrics) and what it tells about its holders.</content>
public sealed partial class ReadWriteGuarded<T>
{
    // RunRead, RunWrite or TryRun with diagnostics on (lock order, holder tracking, metrics: whichever apply). Recursion
    // is refused first; a blocking acquisition (no timeout) then checks the lock order before waiting, a try records no
    // order into this lock. The hold is recorded once the lock is taken and removed before it is released, so the
    // tracked holders never show two writers or a writer beside readers; metrics are recorded after the release.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RunInstrumented<TBody, TResult>(TBody body, bool write, int timeoutMs, out TResult result)
        where TBody : struct, IGuardedBody<T, TResult>
    {
        if (!HeldLocks.TryAdd(this))
        {
            ThrowRecursion();
        }

        bool entered = false;
        LockProbe probe = default;
        try
        {
            LockOrderNode? node = LockOrder.IsOn ? _identity.OrderNode(this) : null;
            if (node is not null && timeoutMs == Timeout.Infinite)
            {
                LockOrderTracker.BeforeAcquire(this, node);
            }

            probe = LockProbe.Start(ref _identity, this, write ? LockAccess.Write : LockAccess.Read);
            entered = write ? _gate.TryEnterWriteFast() : _gate.TryEnterReadFast();
            if (!entered)
            {
                probe.StartWaiting();
                entered = write ? _gate.EnterWriteSlow(timeoutMs) : _gate.EnterReadSlow(timeoutMs);
                if (!entered)
                {
                    result = default!;
                    return false;
                }
            }

            HeldLock? held = node is null ? null : LockOrderTracker.Push(this, node);
            probe.Acquired();
            try
            {
                result = body.Invoke(ref _value);
                return true;
            }
            finally
            {
                probe.Leave();
                if (held is not null)
                {
                    LockOrderTracker.Pop(held);
                }
            }
        }
        finally
        {
            probe.Leave(); // a wait that ended without the lock (timeout, exception)
            HeldLocks.Remove(this);
            if (entered)
            {
                if (write)
                {
                    _gate.ExitWrite();
                }
                else
                {
                    _gate.ExitRead();
                }
            }

            probe.RecordMetrics();
        }
    }

    /// <summary>Gets what is known of the lock now: whether it is held, and, while tracked, by which flows (readers or the writer), since when and who waits.</summary>
    /// <returns>The lock's information; see <see cref="LockInfo"/> for what is exact when diagnostics are off.</returns>
    /// <remarks>Never takes the guard's lock: safe to call from anywhere, including a delegate of this guard.</remarks>
    public LockInfo GetLockInfo() =>
        LockInfo.Create(this, Name, _gate.HasWriter || _gate.ReaderCount > 0, _gate.WaitingCount, _identity.TrackedState);

    /// <summary>Gets the value for the debugger's expanded view, read without the lock (the debugger has stopped every thread).</summary>
    T IInspectableGuard<T>.ValueForDebugger => _value;

    /// <summary>
    /// Gets the debugger's one-line view: "write-held", "read-held by N" or "free", or, tracked, who holds it for how long
    /// and how many wait (read without the lock).
    /// </summary>
    internal string DebuggerState
    {
        get
        {
            LockInfo info = GetLockInfo();
            return info.IsTracked
                ? info.Summary()
                : _gate.HasWriter ? "write-held" : _gate.ReaderCount is > 0 and int readers ? $"read-held by {readers}" : "free";
        }
    }
}
