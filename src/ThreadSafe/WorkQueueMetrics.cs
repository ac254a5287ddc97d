using System.Diagnostics.Metrics;

namespace ThreadSafe;

/// <summary>The System.Diagnostics.Metrics instruments of every <see cref="WorkQueue{T}"/>, on the "ThreadSafe" meter.</summary>
/// <remarks>Each measurement carries the tag <c>threadsafe.workqueue.name</c>. Recording is skipped when nobody listens.</remarks>
internal static class WorkQueueMetrics
{
    public const string NameTag = "threadsafe.workqueue.name";

    /// <summary>Items accepted and not yet started (+1 on accept, -1 on start or hand-back).</summary>
    public static readonly UpDownCounter<long> QueueLength =
        ThreadSafeMeter.Meter.CreateUpDownCounter<long>("threadsafe.workqueue.length", "{item}", "Items accepted by a work queue and not yet started.");

    /// <summary>Items whose handler returned normally.</summary>
    public static readonly Counter<long> Processed =
        ThreadSafeMeter.Meter.CreateCounter<long>("threadsafe.workqueue.processed", "{item}", "Items handled successfully by a work queue.");

    /// <summary>Items whose handler threw.</summary>
    public static readonly Counter<long> Failed =
        ThreadSafeMeter.Meter.CreateCounter<long>("threadsafe.workqueue.failed", "{item}", "Items whose work queue handler threw.");

    /// <summary>Time a producer waited for space (recorded only when it had to wait).</summary>
    public static readonly Histogram<double> AddWait =
        ThreadSafeMeter.Meter.CreateHistogram<double>("threadsafe.workqueue.add_wait", "s", "Time a producer waited for space in a full work queue.");
}
