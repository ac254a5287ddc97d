using System.Runtime.CompilerServices;

namespace ThreadSafe.Diagnostics;

/// <summary>
/// The one acquisition of a synchronous guard (<see cref="Guarded{T}"/>, <see cref="ReadWriteGuarded{T}"/>) with
/// diagnostics on: lock order, holder tracking, metrics, whichever apply. The guards take it instead of their fast path
/// when <see cref="GuardInstrumentation.IsOn"/> or their own metrics switch is set.
/// </summary>
internal static class InstrumentedAcquisition
{
    /// <summary>Takes <paramref name="gate"/>, runs <paramref name="body"/> on <paramref name="value"/> and releases the lock.</summary>
    /// <remarks>
    /// Recursion the lock cannot tell is refused first (<see cref="IGuardedLock.Claim"/>). A blocking acquisition (no
    /// timeout) then checks the lock order before waiting; a try gives up instead of deadlocking, so it records no order
    /// into this lock. The hold is recorded after any recursion check of the held lock (<see cref="IGuardedLock.Entered"/>)
    /// and removed before the lock is released, so the tracked holders never show two exclusive holders, two writers or a
    /// writer beside readers; metrics are recorded after the release, outside the lock (listeners are user code).
    /// </remarks>
    /// <returns><see langword="true"/> if the body ran; <see langword="false"/> if the lock was not taken within the timeout.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool Run<TLock, TBody, T, TResult>(
        TLock gate, TBody body, ref T value, ref GuardedIdentity identity, object guard, int timeoutMs, out TResult result)
        where TLock : struct, IGuardedLock
        where TBody : struct, IGuardedBody<T, TResult>
    {
        gate.Claim();
        bool entered = false;
        LockProbe probe = default;
        try
        {
            LockOrderNode? node = LockOrder.IsOn ? identity.OrderNode(guard) : null;
            if (node is not null && timeoutMs == Timeout.Infinite)
            {
                LockOrderTracker.BeforeAcquire(guard, node);
            }

            probe = LockProbe.Start(ref identity, guard, gate.Access);
            entered = gate.TryEnter();
            if (!entered)
            {
                probe.StartWaiting();
                entered = gate.Enter(timeoutMs);
                if (!entered)
                {
                    result = default!;
                    return false;
                }
            }

            gate.Entered();
            HeldLock? held = node is null ? null : LockOrderTracker.Push(guard, node);
            probe.Acquired();
            try
            {
                result = body.Invoke(ref value);
                return true;
            }
            finally
            {
                probe.Leave();
                if (held is not null)
                {
                    LockOrderTracker.Pop(held);
                }

                gate.Leaving();
            }
        }
        finally
        {
            probe.Leave(); // a wait that ended without the lock (timeout, exception) or a recursion refused after entering
            gate.Release(entered);
            probe.RecordMetrics();
        }
    }
}
