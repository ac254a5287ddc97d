namespace ThreadSafe.Diagnostics;

/// <summary>A guard whose lock diagnostics can tell who holds it: implemented by every guard type.</summary>
internal interface IInspectableGuard
{
    /// <summary>What is known of the guard now (see <see cref="LockInfo"/>).</summary>
    LockInfo GetLockInfo();
}

/// <summary>A guard of a <typeparamref name="T"/> value, as its debugger view (<see cref="GuardedDebugView{T}"/>) sees it.</summary>
/// <typeparam name="T">The type of the guarded value.</typeparam>
internal interface IInspectableGuard<T> : IInspectableGuard
{
    /// <summary>Gets the value, read without the lock (the debugger has stopped every thread).</summary>
    T ValueForDebugger { get; }
}
