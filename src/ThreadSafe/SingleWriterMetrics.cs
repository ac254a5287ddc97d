using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ThreadSafe;

/// <summary>Instruments of <see cref="SingleWriter{TResource}"/> on the "ThreadSafe" meter; each measurement is tagged <c>threadsafe.name</c> with the writer's name.</summary>
/// <remarks>Each recording checks <see cref="Instrument.Enabled"/> first, so with no listener the cost is one volatile read.</remarks>
internal static class SingleWriterMetrics
{
    /// <summary>The tag key that carries the writer's name, shared by every primitive's instruments.</summary>
    private const string NameTag = "threadsafe.name";

    /// <summary>Writes accepted and not yet started or cancelled.</summary>
    public static readonly UpDownCounter<long> QueueLength =
        ThreadSafeMeter.Meter.CreateUpDownCounter<long>("threadsafe.single_writer.queue.length", "{write}", "Writes waiting in a SingleWriter queue.");

    /// <summary>Number of writes per batch (group commit).</summary>
    public static readonly Histogram<int> BatchSize =
        ThreadSafeMeter.Meter.CreateHistogram<int>("threadsafe.single_writer.batch.size", "{write}", "Writes run in one SingleWriter batch.");

    /// <summary>Time from acceptance to acknowledgement (after commit).</summary>
    public static readonly Histogram<double> WriteDuration =
        ThreadSafeMeter.Meter.CreateHistogram<double>("threadsafe.single_writer.write.duration", "s", "Time from queueing a write to acknowledging it after its batch committed.");

    public static void QueueChanged(string writer, int delta)
    {
        if (QueueLength.Enabled && delta != 0)
        {
            QueueLength.Add(delta, new KeyValuePair<string, object?>(NameTag, writer));
        }
    }

    public static void BatchRan(string writer, int size)
    {
        if (BatchSize.Enabled)
        {
            BatchSize.Record(size, new KeyValuePair<string, object?>(NameTag, writer));
        }
    }

    public static void WriteDone(string writer, long enqueuedAt)
    {
        if (WriteDuration.Enabled)
        {
            WriteDuration.Record(Stopwatch.GetElapsedTime(enqueuedAt).TotalSeconds, new KeyValuePair<string, object?>(NameTag, writer));
        }
    }
}
