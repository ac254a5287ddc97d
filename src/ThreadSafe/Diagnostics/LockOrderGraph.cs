using System.Diagnostics;

namespace ThreadSafe.Diagnostics;

/// <summary>
/// The process-wide graph of recorded lock orders: an edge A → B says B was acquired while A was held.
/// </summary>
/// <remarks>
/// <para>
/// Invariant: the graph has no cycle. An order is recorded only after checking that no path leads back from the
/// acquired lock to the held one; an order that would close a cycle is the inversion being reported, and is not
/// recorded. That is what lets <see cref="LockOrderTracker.BeforeAcquire"/> skip the search when the edge exists.
/// </para>
/// <para>
/// Bounded: at most <see cref="LockOrder.MaxEdges"/> edges. When full, nodes of collected guards are dropped with their
/// edges (an order through a guard nobody can acquire again cannot be part of a deadlock); if it is still full, new
/// orders are not recorded and one <see cref="LockOrderReportKind.GraphFull"/> report says so.
/// </para>
/// </remarks>
internal static class LockOrderGraph
{
    // Guards every field below and every node's Successors replacement and Listed flag. Held only for graph work:
    // never while a guard's lock is being waited for, and never while user code (a report handler) runs.
    private static readonly object Gate = new();

    // Guarded by Gate. Every node with at least one edge in or out, for pruning and reset.
    private static readonly List<LockOrderNode> Nodes = [];

    // Guarded by Gate. One node per lock class, for the life of the process.
    private static readonly Dictionary<string, LockOrderNode> Classes = new(StringComparer.Ordinal);

    // Guarded by Gate. Inversions already reported (held, acquired), so Report mode reports each pair once.
    private static readonly HashSet<(LockOrderNode Held, LockOrderNode Acquired)> Reported = [];

    // Guarded by Gate.
    private static int s_edgeCount;

    // Guarded by Gate. Whether the GraphFull report was made since the last reset.
    private static bool s_fullReported;

    public static int EdgeCount
    {
        get
        {
            lock (Gate)
            {
                return s_edgeCount;
            }
        }
    }

    public static LockOrderNode ClassNode(string lockClass)
    {
        lock (Gate)
        {
            if (!Classes.TryGetValue(lockClass, out LockOrderNode? node))
            {
                node = new LockOrderNode(lockClass, owner: null);
                Classes.Add(lockClass, node);
            }

            return node;
        }
    }

    public static void Reset()
    {
        lock (Gate)
        {
            foreach (LockOrderNode node in Nodes)
            {
                node.Successors = [];
                node.Listed = false;
            }

            Nodes.Clear();
            Reported.Clear();
            s_edgeCount = 0;
            s_fullReported = false;
        }
    }

    /// <summary>The slow path of <see cref="LockOrderTracker.BeforeAcquire"/>: some order it implies is new.</summary>
    public static void CheckAndRecord(HeldLock top, object guard, LockOrderNode node)
    {
        string thread = LockOrderText.CurrentThread();
        string stack = LockOrderText.CallStack();
        LockOrderReport? inversion = null;
        LockOrderReport? full = null;
        bool throwing = LockOrder.Mode == LockOrderMode.Throw;
        lock (Gate)
        {
            var toRecord = new List<LockOrderNode>();
            for (HeldLock? held = top; held is not null; held = held.Previous)
            {
                if (held.Released || ReferenceEquals(held.Guard, guard) || held.Node.HasEdgeTo(node) || toRecord.Contains(held.Node))
                {
                    continue;
                }

                List<LockOrderEdge>? path = ReferenceEquals(held.Node, node) ? [] : FindPath(node, held.Node);
                if (path is null)
                {
                    toRecord.Add(held.Node);
                }
                else if (inversion is null && (throwing || Reported.Add((held.Node, node))))
                {
                    inversion = new LockOrderReport(LockOrderReportKind.Inversion, held.Node.Name, node.Name, path, thread, stack);
                }
            }

            if (!(throwing && inversion is not null))
            {
                foreach (LockOrderNode from in toRecord)
                {
                    if (!TryAddEdge(new LockOrderEdge(from, node, thread, stack)) && !s_fullReported)
                    {
                        s_fullReported = true;
                        full = new LockOrderReport(LockOrderReportKind.GraphFull, from.Name, node.Name, [], thread, stack);
                    }
                }
            }
        }

        if (full is not null)
        {
            LockOrder.Publish(full);
        }

        if (inversion is not null)
        {
            if (throwing)
            {
                throw new LockOrderException(inversion);
            }

            LockOrder.Publish(inversion);
        }
    }

    // Breadth-first search for recorded orders leading from -> ... -> to, skipping collected guards. Null if none.
    private static List<LockOrderEdge>? FindPath(LockOrderNode from, LockOrderNode to)
    {
        Debug.Assert(Monitor.IsEntered(Gate), "The graph is searched under its lock.");
        var cameBy = new Dictionary<LockOrderNode, LockOrderEdge?> { [from] = null };
        var frontier = new Queue<LockOrderNode>();
        frontier.Enqueue(from);
        while (frontier.TryDequeue(out LockOrderNode? current))
        {
            foreach (LockOrderEdge edge in current.Successors)
            {
                LockOrderNode next = edge.ToNode;
                if (cameBy.ContainsKey(next) || (next.IsDead && !ReferenceEquals(next, to)))
                {
                    continue;
                }

                cameBy[next] = edge;
                if (ReferenceEquals(next, to))
                {
                    var path = new List<LockOrderEdge>();
                    for (LockOrderEdge? step = edge; step is not null; step = cameBy[step.FromNode])
                    {
                        path.Add(step);
                    }

                    path.Reverse();
                    return path;
                }

                frontier.Enqueue(next);
            }
        }

        return null;
    }

    private static bool TryAddEdge(LockOrderEdge edge)
    {
        Debug.Assert(Monitor.IsEntered(Gate), "Edges are added under the graph's lock.");
        if (s_edgeCount >= LockOrder.MaxEdges)
        {
            PruneCollected();
            if (s_edgeCount >= LockOrder.MaxEdges)
            {
                return false;
            }
        }

        LockOrderNode from = edge.FromNode;
        from.Successors = [.. from.Successors, edge];
        s_edgeCount++;
        List(from);
        List(edge.ToNode);
        return true;
    }

    private static void List(LockOrderNode node)
    {
        if (!node.Listed)
        {
            node.Listed = true;
            Nodes.Add(node);
        }
    }

    // Drops the nodes of collected guards and every edge into or out of them.
    private static void PruneCollected()
    {
        Nodes.RemoveAll(node =>
        {
            if (!node.IsDead)
            {
                return false;
            }

            s_edgeCount -= node.Successors.Length;
            node.Successors = [];
            node.Listed = false;
            return true;
        });

        foreach (LockOrderNode node in Nodes)
        {
            LockOrderEdge[] kept = Array.FindAll(node.Successors, e => e.ToNode.Listed);
            s_edgeCount -= node.Successors.Length - kept.Length;
            if (kept.Length != node.Successors.Length)
            {
                node.Successors = kept;
            }
        }

        Reported.RemoveWhere(pair => !pair.Held.Listed || !pair.Acquired.Listed);
    }
}
