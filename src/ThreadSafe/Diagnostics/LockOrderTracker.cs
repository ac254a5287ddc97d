using System.Runtime.CompilerServices;

namespace ThreadSafe.Diagnostics;

/// <summary>
/// The guards' side of lock-order checking: which locks the current flow holds, and the check made before each
/// blocking acquisition. Called only while <see cref="LockOrder.IsOn"/>.
/// </summary>
/// <remarks>
/// The held locks live in an <see cref="AsyncLocal{T}"/>, so they follow an async flow across awaits (an
/// <see cref="AsyncGuarded{T}"/> delegate) and are per thread for synchronous code (a synchronous delegate cannot
/// await, so its flow stays on its thread). Holds are scoped by the guards' delegates and therefore nest: a flow
/// releases its locks in the reverse order it took them.
/// </remarks>
internal static class LockOrderTracker
{
    // The locks the current flow holds, newest first; null when it holds none.
    private static readonly AsyncLocal<HeldLock?> Held = new();

    /// <summary>Gets the node of a guard, creating it on first use; safe to race (one node wins and is kept).</summary>
    public static LockOrderNode NodeFor(ref LockOrderNode? field, object guard, string name, string? lockClass)
    {
        LockOrderNode? node = Volatile.Read(ref field);
        if (node is not null)
        {
            return node;
        }

        node = lockClass is null ? new LockOrderNode(name, guard) : LockOrderGraph.ClassNode(lockClass);
        return Interlocked.CompareExchange(ref field, node, null) ?? node;
    }

    /// <summary>
    /// Called before a blocking acquisition of <paramref name="guard"/>: records the order held → acquired for every lock
    /// the flow holds, or, if that inverts an order recorded before, throws <see cref="LockOrderException"/> (Throw mode)
    /// or reports it (Report mode).
    /// </summary>
    public static void BeforeAcquire(object guard, LockOrderNode node)
    {
        HeldLock? top = Held.Value;
        if (top is null)
        {
            return;
        }

        // Fast path, lock-free: every order this acquisition implies was recorded before. The graph is kept free of
        // cycles (an inverting order is never recorded), so a recorded held -> node proves there is no path back.
        for (HeldLock? held = top; held is not null; held = held.Previous)
        {
            if (!held.Released && !ReferenceEquals(held.Guard, guard) && !held.Node.HasEdgeTo(node))
            {
                LockOrderGraph.CheckAndRecord(top, guard, node);
                return;
            }
        }
    }

    /// <summary>Records that the current flow now holds <paramref name="guard"/>; pair with <see cref="Pop"/> in a finally.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static HeldLock Push(object guard, LockOrderNode node)
    {
        var held = new HeldLock(node, guard, Held.Value);
        Held.Value = held;
        return held;
    }

    /// <summary>Records that the current flow released the lock it took with <paramref name="held"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Pop(HeldLock held)
    {
        held.MarkReleased();
        HeldLock? previous = held.Previous;
        while (previous is { Released: true })
        {
            previous = previous.Previous;
        }

        Held.Value = previous;
    }
}
