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

/// <summary>One side of a <see cref="ReadWriteGate"/>, as a type, so that a path generic over it is compiled once per side.</summary>
internal interface IReadWriteGateSide
{
    /// <summary>Gets a value indicating whether this is the write side; a constant the JIT folds.</summary>
    static abstract bool IsWrite { get; }
}

/// <summary>The read side: any number of readers at once, none while a writer owns the lock.</summary>
internal readonly struct ReadSide : IReadWriteGateSide
{
    public static bool IsWrite => false;
}

/// <summary>The write side: one writer, alone.</summary>
internal readonly struct WriteSide : IReadWriteGateSide
{
    public static bool IsWrite => true;
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
    public LockAccess Access => TSide.IsWrite ? LockAccess.Write : LockAccess.Read;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Claim()
    {
        if (!HeldLocks.TryAdd(guard))
        {
            Recursion.Throw(guard);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnter() => TSide.IsWrite ? gate.TryEnterWriteFast() : gate.TryEnterReadFast();

    public bool Enter(int timeoutMs) => TSide.IsWrite ? gate.EnterWriteSlow(timeoutMs) : gate.EnterReadSlow(timeoutMs);

    public void Entered()
    {
    }

    public void Leaving()
    {
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Release(bool entered)
    {
        HeldLocks.Remove(guard);
        if (!entered)
        {
            return;
        }

        if (TSide.IsWrite)
        {
            gate.ExitWrite();
        }
        else
        {
            gate.ExitRead();
        }
    }
}
