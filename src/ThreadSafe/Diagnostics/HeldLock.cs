namespace ThreadSafe.Diagnostics;

/// <summary>
/// One lock held by the current flow, in an immutable list that flows with the execution context (see
/// <see cref="LockOrderTracker"/>), newest first.
/// </summary>
/// <remarks>
/// A task forked inside a delegate inherits the list. So that such work, if it outlives the hold, is not mistaken for
/// holding the lock, the holder sets <see cref="Released"/> when it lets go, and every reader skips released entries.
/// Released is volatile: the release happens-before any later acquisition that reads it.
/// </remarks>
internal sealed class HeldLock(LockOrderNode node, object guard, HeldLock? previous)
{
    private volatile bool _released;

    public LockOrderNode Node { get; } = node;

    /// <summary>Gets the guard instance, to tell re-entry of the same instance (the guard's own recursion check) from another instance of one lock class.</summary>
    public object Guard { get; } = guard;

    public HeldLock? Previous { get; } = previous;

    public bool Released => _released;

    public void MarkReleased() => _released = true;
}
