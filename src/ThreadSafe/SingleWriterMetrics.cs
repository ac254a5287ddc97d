using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ThreadSafe;

/// <summary>Instruments of <see cref="SingleWriter{TResource}"/> on the "ThreadSafe" meter; each measurement is tagged <c>threadsafe.name</c> with the writer's name.</summary>
/// <remarks>
/// Recording goes through <see cref="ThreadSafeMeter"/>: with no listener the cost is one <see cref="Instrument.Enabled"/>
/// read, and a listener that throws loses its measurement, never a write, an acknowledgement or the writer thread.
/// </remarks>
internal static class SingleWriterMetrics
{
    /// <summary>Writes accepted and not yet started or cancelled.</summary>
    public static readonly UpDownCounter<long> QueueLength =
        ThreadSafeMeter.Meter.CreateUpDownCounter<long>("threadsafe.single_writer.queue.length", "{write}", "Writes waiting in a SingleWriter queue.");

    /// <summary>Number of writes per batch (group commit).</summary>
    public static readonly Histogram<int> BatchSize =
        ThreadSafeMeter.Meter.CreateHistogram<int>("threadsafe.single_writer.batch.size", "{write}", "Writes run in one SingleWriter batch.");

    /// <summary>Time from acceptance to acknowledgement (after commit).</summary>
    public static readonly Histogram<double> WriteDuration =
        ThreadSafeMeter.Meter.CreateHistogram<double>("threadsafe.single_writer.write.duration", "s", "Time from queueing a write to acknowledging it after its batch committed.");

    /// <summary>Counts writes joining (<paramref name="delta"/> &gt; 0) or leaving the queue.</summary>
    public static void QueueChanged(string writer, int delta)
    {
        if (delta != 0)
        {
            ThreadSafeMeter.Add(QueueLength, delta, Tag(writer));
        }
    }

    /// <summary>Records the size of one batch.</summary>
    public static void BatchRan(string writer, int size) => ThreadSafeMeter.Record(BatchSize, size, Tag(writer));

    /// <summary>Records one write's time from acceptance to acknowledgement; the clock is read only when someone listens.</summary>
    public static void WriteDone(string writer, long enqueuedAt)
    {
        if (WriteDuration.Enabled)
        {
            ThreadSafeMeter.Record(WriteDuration, Stopwatch.GetElapsedTime(enqueuedAt).TotalSeconds, Tag(writer));
        }
    }

    private static KeyValuePair<string, object?> Tag(string writer) => new(ThreadSafeMeter.NameTag, writer);
}
