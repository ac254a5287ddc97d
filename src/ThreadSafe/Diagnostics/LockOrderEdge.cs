namespace ThreadSafe.Diagnostics;

/// <summary>One recorded lock order: <see cref="To"/> was acquired while <see cref="From"/> was held, first seen where <see cref="StackTrace"/> says.</summary>
public sealed class LockOrderEdge
{
    internal LockOrderEdge(LockOrderNode from, LockOrderNode to, string thread, string stackTrace)
    {
        FromNode = from;
        ToNode = to;
        Thread = thread;
        StackTrace = stackTrace;
    }

    /// <summary>Gets the name of the lock that was held.</summary>
    public string From => FromNode.Name;

    /// <summary>Gets the name of the lock that was acquired while <see cref="From"/> was held.</summary>
    public string To => ToNode.Name;

    /// <summary>Gets the thread that first took the locks in this order: its managed id and name.</summary>
    public string Thread { get; }

    /// <summary>Gets the call stack of the acquisition of <see cref="To"/> the first time this order was seen.</summary>
    public string StackTrace { get; }

    internal LockOrderNode FromNode { get; }

    internal LockOrderNode ToNode { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{From} -> {To} (first seen on thread {Thread})";
}
