namespace ThreadSafe.Diagnostics;

/// <summary>What a <see cref="LockOrderReport"/> is about.</summary>
public enum LockOrderReportKind
{
    /// <summary>A lock was acquired (or was about to be) while holding another, in the inverse of an order recorded before.</summary>
    Inversion = 0,

    /// <summary>The graph of recorded orders reached <see cref="LockOrder.MaxEdges"/>: new orders are no longer recorded, so later inversions through them go unseen.</summary>
    GraphFull = 1,
}
