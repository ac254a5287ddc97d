using System.Diagnostics;
using System.Runtime.CompilerServices;
using ThreadSafe.Diagnostics;

namespace ThreadSafe;

// The locks of the synchronous guards as structs, as GuardedBodies.cs does for their delegates: the two sides of
// ReadWriteGuarded<T> share one run path, and Guarded<T> and ReadWriteGuarded<T> share one instrumented acquisition
// (InstrumentedAcquisition). The JIT specializes a generic method per struct type argument, so each lock costs what
// hand-written code for it costs: no virtual call, no allocation.

/// <summary>One way of taking a guard's lock, as the shared acquisition paths take it.</summary>
/// <remarks>
/// The order of the calls: <see cref="Claim"/>; <see cref="TryEnter"/>, else <see cref="Enter"/>; once entered,
/// <see cref="Entered"/>, the delegate, <see cref="Leaving"/>; last, whether entered or not, <see cref="Release"/>.
/// </remarks>
internal interface IGuardedLock
{
    /// <summary>Gets how the lock is held, for diagnostics.</summary>
    LockAccess Access { get; }

    /// <summary>Refuses a call from inside a delegate of the same guard where that must be known before waiting.</summary>
    void Claim();

    /// <summary>Takes the lock if it is free; never waits.</summary>
    bool TryEnter();

    /// <summary>Takes the lock, waiting at most <paramref name="timeoutMs"/> (<see cref="Timeout.Infinite"/> for no limit).</summary>
    bool Enter(int timeoutMs);

    /// <summary>Called with the lock just taken, before the delegate: refuses a call from inside a delegate where only the held lock tells.</summary>
    void Entered();

    /// <summary>Called after the delegate returned or threw, with the lock still held: undoes <see cref="Entered"/>.</summary>
    void Leaving();

    /// <summary>Undoes <see cref="Claim"/> and, if <paramref name="entered"/>, releases the lock.</summary>
    void Release(bool entered);
}

/// <summary>A <see cref="Guarded{T}"/>'s monitor as the shared instrumented acquisition takes it.</summary>
/// <remarks>
/// Monitor is re-entrant, so a call from inside a delegate shows only once the monitor is entered: <see cref="Entered"/>
/// checks and sets the busy flag, <see cref="Leaving"/> clears it.
/// </remarks>
internal readonly struct MonitorLock(GuardedMonitor gate, object guard) : IGuardedLock
{
    public LockAccess Access => LockAccess.Exclusive;

    public void Claim()
    {
    }

    public bool TryEnter()
    {
        bool taken = false;
        Monitor.TryEnter(gate, ref taken);
        return taken;
    }

    public bool Enter(int timeoutMs)
    {
        bool taken = false;
        if (timeoutMs == Timeout.Infinite)
        {
            Monitor.Enter(gate, ref taken);
        }
        else
        {
            Monitor.TryEnter(gate, timeoutMs, ref taken);
        }

        return taken;
    }

    public void Entered() => gate.Enter(guard);

    public void Leaving() => gate.Busy = false;

    public void Release(bool entered)
    {
        if (entered)
        {
            Monitor.Exit(gate);
        }
    }
}

/// <summary>
/// One side of a <see cref="ReadWriteGate"/>: which of its methods take and release the lock. A type, not a flag, so
/// that a path generic over it calls them directly, with no branch: a branch in a <c>finally</c> can keep the JIT from
/// copying the <c>finally</c> into the normal path, which costs the fast path a call.
/// </summary>
internal interface IReadWriteGateSide
{
    /// <summary>Gets how the side holds the lock, for diagnostics.</summary>
    static abstract LockAccess Access { get; }

    /// <summary>Takes the side if it is free; never waits.</summary>
    static abstract bool TryEnterFast(ReadWriteGate gate);

    /// <summary>Takes the side, waiting at most <paramref name="timeoutMs"/>.</summary>
    static abstract bool EnterSlow(ReadWriteGate gate, int timeoutMs);

    /// <summary>Leaves the side.</summary>
    static abstract void Exit(ReadWriteGate gate);
}

/// <summary>The read side: any number of readers at once, none while a writer owns the lock.</summary>
internal readonly struct ReadSide : IReadWriteGateSide
{
    public static LockAccess Access => LockAccess.Read;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryEnterFast(ReadWriteGate gate) => gate.TryEnterReadFast();

    public static bool EnterSlow(ReadWriteGate gate, int timeoutMs) => gate.EnterReadSlow(timeoutMs);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exit(ReadWriteGate gate) => gate.ExitRead();
}

/// <summary>The write side: one writer, alone.</summary>
internal readonly struct WriteSide : IReadWriteGateSide
{
    public static LockAccess Access => LockAccess.Write;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryEnterFast(ReadWriteGate gate) => gate.TryEnterWriteFast();

    public static bool EnterSlow(ReadWriteGate gate, int timeoutMs) => gate.EnterWriteSlow(timeoutMs);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exit(ReadWriteGate gate) => gate.ExitWrite();
}

/// <summary>
/// A side of a <see cref="ReadWriteGuarded{T}"/>'s gate, paired with the thread's record of held guards
/// (<see cref="HeldLocks"/>; see there why the record is per thread).
/// </summary>
/// <remarks>
/// The record is checked first: a call from inside a delegate must throw before it waits, or a write inside a read
/// would wait for itself forever. On release the record is cleaned first, so it stays right even if releasing the lock
/// were interrupted.
/// </remarks>
/// <typeparam name="TSide">The side: <see cref="ReadSide"/> or <see cref="WriteSide"/>.</typeparam>
internal readonly struct ReadWriteGateLock<TSide>(ReadWriteGate gate, object guard) : IGuardedLock
    where TSide : struct, IReadWriteGateSide
{
    public LockAccess Access => TSide.Access;

    public void Claim() => Claim(guard);

    public bool TryEnter() => TSide.TryEnterFast(gate);

    public bool Enter(int timeoutMs) => TSide.EnterSlow(gate, timeoutMs);

    public void Entered()
    {
    }

    public void Leaving()
    {
    }

    public void Release(bool entered)
    {
        if (entered)
        {
            Exit(gate, guard);
        }
        else
        {
            HeldLocks.Remove(guard);
        }
    }

    // The fast path of ReadWriteGuarded<T> calls the two static methods below with its own fields, so that it keeps no
    // lock struct alive across the delegate (which would cost the fast path stack slots zeroed on every call).

    /// <summary>
    /// Claims the guard, then takes the side, or waits for it at most <paramref name="timeoutMs"/>. If the lock is not
    /// taken, the claim is undone.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Acquire(ReadWriteGate gate, object guard, int timeoutMs)
    {
        Claim(guard);
        return TSide.TryEnterFast(gate) || EnterOrUnclaim(gate, guard, timeoutMs);
    }

    /// <summary>Releases the side taken by <see cref="Acquire"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exit(ReadWriteGate gate, object guard)
    {
        HeldLocks.Remove(guard);
        TSide.Exit(gate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Claim(object guard)
    {
        if (!HeldLocks.TryAdd(guard))
        {
            Recursion.Throw(guard);
        }
    }

    // Called after Claim with the lock not free: waits, and removes the guard from the record again unless the lock was
    // taken. A method of this exact struct type, so that a shared generic caller calls it without a runtime lookup.
    private static bool EnterOrUnclaim(ReadWriteGate gate, object guard, int timeoutMs)
    {
        bool entered = false;
        try
        {
            entered = TSide.EnterSlow(gate, timeoutMs);
            Debug.Assert(entered || timeoutMs != Timeout.Infinite, "An unlimited wait ends only by entering.");
            return entered;
        }
        finally
        {
            if (!entered)
            {
                HeldLocks.Remove(guard);
            }
        }
    }
}
