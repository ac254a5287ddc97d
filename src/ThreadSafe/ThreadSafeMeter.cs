using System.Diagnostics.Metrics;

namespace ThreadSafe;

/// <summary>
/// The one System.Diagnostics.Metrics meter, named "ThreadSafe", that every primitive's instruments live on, and the
/// one way those instruments are recorded.
/// </summary>
/// <remarks>
/// Each recording reads <see cref="Instrument.Enabled"/> first: with no listener that read is the whole cost (no
/// allocation, no closure, no try block). A listener's callback runs on the thread that records (a consumer, a writer
/// thread, a flow that has just released a guard), so a listener that throws is contained: it loses its measurement,
/// nothing else. The try block sits in a separate method, reached only when someone listens. Callers whose value costs
/// something to compute (a clock read) check <see cref="Instrument.Enabled"/> themselves before computing it.
/// This file is also compiled into ThreadSafe.Sqlite (which cannot see these internals), giving that assembly its own
/// meter of the same name, recorded the same way.
/// </remarks>
internal static class ThreadSafeMeter
{
    /// <summary>The meter's name, for listeners: <c>MeterListener</c> or <c>dotnet-counters --counters ThreadSafe</c>.</summary>
    public const string Name = "ThreadSafe";

    /// <summary>The tag carrying the primitive's name (a queue's, a writer's, a guard's) on every measurement.</summary>
    public const string NameTag = "threadsafe.name";

    /// <summary>The shared meter.</summary>
    public static readonly Meter Meter = new(Name, typeof(ThreadSafeMeter).Assembly.GetName().Version?.ToString());

    /// <summary>Adds to a counter if anyone listens; a listener that throws is contained.</summary>
    public static void Add(Counter<long> counter, long delta, KeyValuePair<string, object?> tag)
    {
        if (counter.Enabled)
        {
            AddContained(counter, delta, tag);
        }
    }

    /// <summary>Adds to a counter with two tags if anyone listens; a listener that throws is contained.</summary>
    public static void Add(Counter<long> counter, long delta, KeyValuePair<string, object?> tag1, KeyValuePair<string, object?> tag2)
    {
        if (counter.Enabled)
        {
            AddContained(counter, delta, tag1, tag2);
        }
    }

    /// <summary>Adds to an up-down counter if anyone listens; a listener that throws is contained.</summary>
    public static void Add(UpDownCounter<long> counter, long delta, KeyValuePair<string, object?> tag)
    {
        if (counter.Enabled)
        {
            AddContained(counter, delta, tag);
        }
    }

    /// <summary>Records a value if anyone listens; a listener that throws is contained.</summary>
    public static void Record<T>(Histogram<T> histogram, T value, KeyValuePair<string, object?> tag)
        where T : struct
    {
        if (histogram.Enabled)
        {
            RecordContained(histogram, value, tag);
        }
    }

    /// <summary>Records a value with two tags if anyone listens; a listener that throws is contained.</summary>
    public static void Record<T>(Histogram<T> histogram, T value, KeyValuePair<string, object?> tag1, KeyValuePair<string, object?> tag2)
        where T : struct
    {
        if (histogram.Enabled)
        {
            RecordContained(histogram, value, tag1, tag2);
        }
    }

    // The *Contained methods are separate from the Enabled checks above so that no try block sits on the hot path while
    // nobody listens. Each catch is the containment of the remarks: a throwing listener loses its measurement, nothing else.
    private static void AddContained(Counter<long> counter, long delta, KeyValuePair<string, object?> tag)
    {
        try
        {
            counter.Add(delta, tag);
        }
        catch (Exception)
        {
        }
    }

    private static void AddContained(Counter<long> counter, long delta, KeyValuePair<string, object?> tag1, KeyValuePair<string, object?> tag2)
    {
        try
        {
            counter.Add(delta, tag1, tag2);
        }
        catch (Exception)
        {
        }
    }

    private static void AddContained(UpDownCounter<long> counter, long delta, KeyValuePair<string, object?> tag)
    {
        try
        {
            counter.Add(delta, tag);
        }
        catch (Exception)
        {
        }
    }

    private static void RecordContained<T>(Histogram<T> histogram, T value, KeyValuePair<string, object?> tag)
        where T : struct
    {
        try
        {
            histogram.Record(value, tag);
        }
        catch (Exception)
        {
        }
    }

    private static void RecordContained<T>(Histogram<T> histogram, T value, KeyValuePair<string, object?> tag1, KeyValuePair<string, object?> tag2)
        where T : struct
    {
        try
        {
            histogram.Record(value, tag1, tag2);
        }
        catch (Exception)
        {
        }
    }
}
