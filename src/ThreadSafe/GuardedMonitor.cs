using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ThreadSafe;

/// <summary>
/// The lock object of a <see cref="Guarded{T}"/>, with the flag that tells a delegate is running. Not generic, so the
/// shared instrumented acquisition (<see cref="MonitorLock"/>) takes it with direct, inlined calls for every T.
/// </summary>
internal sealed class GuardedMonitor
{
    // Guarded by this object's monitor (the guard locks on this instance). True while a delegate runs. Monitor is
    // re-entrant and exclusive, so when a thread that has just entered the monitor sees true, it is the same thread
    // calling from inside its own delegate: recursion is detected without reading the thread id.
    public bool Busy;

    /// <summary>Called with the monitor held: marks the guard busy, or throws on a call from inside one of its delegates.</summary>
    /// <param name="guard">The guard, for the message.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter(object guard)
    {
        Debug.Assert(Monitor.IsEntered(this), "Enter must be called with the lock held.");
        if (Busy)
        {
            Recursion.Throw(guard);
        }

        Busy = true;
    }
}
