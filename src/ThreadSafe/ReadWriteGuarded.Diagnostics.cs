using System.Runtime.CompilerServices;
using ThreadSafe.Diagnostics;

namespace ThreadSafe;

/// <content>The diagnostics side of the guard: the instrumented acquisition (lock order, holder tracking, metrics) and what it tells about its holders.</content>
public sealed partial class ReadWriteGuarded<T>
{
    // Run or TryRun with diagnostics on: the acquisition every synchronous guard shares, with this guard's gate.
    // Not inlined, so the fast path keeps only the call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RunInstrumented<TSide, TBody, TResult>(TBody body, int timeoutMs, out TResult result)
        where TSide : struct, IReadWriteGateSide
        where TBody : struct, IGuardedBody<T, TResult> =>
        InstrumentedAcquisition.Run<ReadWriteGateLock<TSide>, TBody, T, TResult>(new(_gate, this), body, ref _value, ref _identity, this, timeoutMs, out result);

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
