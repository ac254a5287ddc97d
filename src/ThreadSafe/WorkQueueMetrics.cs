using System.Diagnostics.Metrics;

namespace ThreadSafe;

/// <summary>The System.Diagnostics.Metrics instruments of every <see cref="WorkQueue{T}"/>, on the "ThreadSafe" meter.</summary>
/// <remarks>
/// Names follow the OpenTelemetry style <c>threadsafe.work_queue.*</c>; each measurement carries the tag
/// <c>threadsafe.name</c> (the queue's name). Recording is skipped when nobody listens. A listener's callback runs on
/// the thread that records, which may be a consumer: every recording goes through the <c>Record</c> helpers, which
/// record through <see cref="ThreadSafeMeter"/> and so contain a throwing listener: it can never lose an item, kill a
/// consumer or skip a wake-up (the measurement is lost instead).
/// </remarks>
internal static class WorkQueueMetrics
{
    /// <summary>The tag carrying the queue's name.</summary>
    public const string NameTag = ThreadSafeMeter.NameTag;

    /// <summary>Items accepted and not yet started (+1 on accept, -1 on start or hand-back).</summary>
    public static readonly UpDownCounter<long> QueueLength =
        ThreadSafeMeter.Meter.CreateUpDownCounter<long>("threadsafe.work_queue.length", "{item}", "Items accepted by a work queue and not yet started.");

    /// <summary>Items whose handler returned normally.</summary>
    public static readonly Counter<long> Processed =
        ThreadSafeMeter.Meter.CreateCounter<long>("threadsafe.work_queue.processed", "{item}", "Items handled successfully by a work queue.");

    /// <summary>Items whose handler threw.</summary>
    public static readonly Counter<long> Failed =
        ThreadSafeMeter.Meter.CreateCounter<long>("threadsafe.work_queue.failed", "{item}", "Items whose work queue handler threw.");

    /// <summary>Time a producer waited for space (recorded only when it had to wait).</summary>
    public static readonly Histogram<double> AddWait =
        ThreadSafeMeter.Meter.CreateHistogram<double>("threadsafe.work_queue.add_wait.duration", "s", "Time a producer waited for space in a full work queue.");

    /// <summary>Adds to a counter if anyone listens; a listener that throws is contained (see the remarks of the class).</summary>
    public static void Record(UpDownCounter<long> instrument, long delta, KeyValuePair<string, object?> nameTag) =>
        ThreadSafeMeter.Add(instrument, delta, nameTag);

    /// <summary>Adds to a counter if anyone listens; a listener that throws is contained (see the remarks of the class).</summary>
    public static void Record(Counter<long> instrument, long delta, KeyValuePair<string, object?> nameTag) =>
        ThreadSafeMeter.Add(instrument, delta, nameTag);

    /// <summary>Records a value if anyone listens; a listener that throws is contained (see the remarks of the class).</summary>
    public static void Record(Histogram<double> instrument, double value, KeyValuePair<string, object?> nameTag) =>
        ThreadSafeMeter.Record(instrument, value, nameTag);
}
