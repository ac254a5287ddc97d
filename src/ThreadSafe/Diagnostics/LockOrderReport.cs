using System.Text;

namespace ThreadSafe.Diagnostics;

/// <summary>
/// A lock-order report: an inversion (both locks, the order recorded before with where it was first seen, and where
/// the inverse was tried, each with its thread), or the notice that the graph of recorded orders is full.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "A report users read, log and keep; it is passed through an event only as one of its uses.")]
public sealed class LockOrderReport : EventArgs
{
    internal LockOrderReport(
        LockOrderReportKind kind, string heldLock, string acquiredLock, IReadOnlyList<LockOrderEdge> recordedPath, string thread, string stackTrace)
    {
        Kind = kind;
        HeldLock = heldLock;
        AcquiredLock = acquiredLock;
        RecordedPath = recordedPath;
        Thread = thread;
        StackTrace = stackTrace;
    }

    /// <summary>Gets what the report is about.</summary>
    public LockOrderReportKind Kind { get; }

    /// <summary>Gets the name of the lock the reporting flow held.</summary>
    public string HeldLock { get; }

    /// <summary>Gets the name of the lock the reporting flow acquired (or tried to) while holding <see cref="HeldLock"/>.</summary>
    public string AcquiredLock { get; }

    /// <summary>
    /// Gets the orders recorded before that lead from <see cref="AcquiredLock"/> back to <see cref="HeldLock"/>: one edge for
    /// a two-lock inversion, more for a cycle through more locks; empty when the two are instances of one lock class.
    /// </summary>
    public IReadOnlyList<LockOrderEdge> RecordedPath { get; }

    /// <summary>Gets the thread that tried the inverse order: its managed id and name.</summary>
    public string Thread { get; }

    /// <summary>Gets the call stack of the inverse acquisition.</summary>
    public string StackTrace { get; }

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Kind == LockOrderReportKind.GraphFull)
        {
            text.Append("Lock-order graph full: ").Append(LockOrder.MaxEdges).Append(" orders recorded; new orders are no longer recorded, ")
                .Append("so inversions through them go unseen. Raise LockOrder.MaxEdges, or give many same-role guards one lock class. ")
                .Append("Reached while ").Append(AcquiredLock).Append(" was acquired holding ").Append(HeldLock)
                .Append(" on thread ").Append(Thread).AppendLine(":").Append(StackTrace);
            return text.ToString();
        }

        text.Append("Lock-order inversion: ").Append(AcquiredLock).Append(" acquired while holding ").Append(HeldLock)
            .Append(" on thread ").Append(Thread).Append(", but ");
        if (RecordedPath.Count == 0)
        {
            text.Append("both belong to one lock class, whose instances have no order among themselves");
        }
        else
        {
            text.Append("the order ").Append(string.Join(" -> ", [RecordedPath[0].From, .. RecordedPath.Select(e => e.To)])).Append(" was recorded before");
        }

        text.AppendLine(". Two flows taking these locks in these two orders can deadlock.")
            .AppendLine()
            .Append("Inverse acquisition (").Append(HeldLock).Append(" -> ").Append(AcquiredLock).Append(") on thread ").Append(Thread).AppendLine(":")
            .AppendLine(StackTrace.TrimEnd());
        foreach (LockOrderEdge edge in RecordedPath)
        {
            text.AppendLine()
                .Append("Order ").Append(edge.From).Append(" -> ").Append(edge.To).Append(" first seen on thread ").Append(edge.Thread).AppendLine(":")
                .AppendLine(edge.StackTrace.TrimEnd());
        }

        return text.ToString();
    }
}
