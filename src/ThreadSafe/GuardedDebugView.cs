using ThreadSafe.Diagnostics;

namespace ThreadSafe;

/// <summary>
/// What the debugger shows when a guard (<see cref="Guarded{T}"/>, <see cref="ReadWriteGuarded{T}"/> or
/// <see cref="AsyncGuarded{T}"/>) is expanded: its lock's holders and waiters, then the value.
/// </summary>
/// <typeparam name="T">The type of the guarded value.</typeparam>
/// <remarks>
/// One proxy for every guard type: the debugger accepts a proxy whose constructor takes an interface the target
/// implements, as the BCL's collection views do.
/// </remarks>
internal sealed class GuardedDebugView<T>(IInspectableGuard<T> guard)
{
    private readonly LockInfo _info = guard.GetLockInfo();

    /// <summary>Gets the guard's name.</summary>
    public string Name => _info.Name;

    /// <summary>Gets the one-line state: free, held, by whom and for how long, and how many wait.</summary>
    public string State => _info.Summary();

    /// <summary>Gets the flows holding the guard (known while diagnostics track it).</summary>
    public IReadOnlyList<LockFlow> Holders => _info.Holders;

    /// <summary>Gets the flows waiting for the guard (known while diagnostics track it).</summary>
    public IReadOnlyList<LockFlow> Waiters => _info.Waiters;

    /// <summary>Gets the guarded value, read without the lock: the debugger has stopped every thread.</summary>
    public T Value => guard.ValueForDebugger;
}
