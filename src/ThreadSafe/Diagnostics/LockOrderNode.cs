namespace ThreadSafe.Diagnostics;

/// <summary>
/// A vertex of the lock-order graph: one guard instance, or one lock class shared by many instances.
/// </summary>
/// <remarks>
/// An instance node refers to its guard only weakly, so recording orders never keeps a guard alive; the graph drops
/// nodes whose guard was collected when it needs room (see <see cref="LockOrderGraph"/>). A class node lives as long as
/// the graph. <see cref="Successors"/> is copy-on-write: replaced (never changed in place) under the graph's lock and
/// read without it. A reader sees the old or the new array, both valid, and an edge missing from a stale array only
/// sends the reader to the locked slow path, so a volatile read is all the ordering needed.
/// </remarks>
internal sealed class LockOrderNode
{
    private volatile LockOrderEdge[] _successors = [];

    public LockOrderNode(string name, object? owner)
    {
        Name = name;
        Owner = owner is null ? null : new WeakReference(owner);
    }

    /// <summary>Gets the name shown in reports.</summary>
    public string Name { get; }

    /// <summary>Gets the guard, weakly; <see langword="null"/> for a class node.</summary>
    public WeakReference? Owner { get; }

    /// <summary>Gets a value indicating whether the guard of an instance node was collected.</summary>
    public bool IsDead => Owner is { IsAlive: false };

    /// <summary>Gets or sets the recorded orders out of this node. Set only under the graph's lock.</summary>
    public LockOrderEdge[] Successors
    {
        get => _successors;
        set => _successors = value;
    }

    /// <summary>Gets or sets a value indicating whether the node is in the graph's node list. Guarded by the graph's lock.</summary>
    public bool Listed { get; set; }

    /// <summary>Whether an order from this node to <paramref name="to"/> was recorded; lock-free.</summary>
    public bool HasEdgeTo(LockOrderNode to)
    {
        foreach (LockOrderEdge edge in _successors)
        {
            if (ReferenceEquals(edge.ToNode, to))
            {
                return true;
            }
        }

        return false;
    }
}
