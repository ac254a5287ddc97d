using System.Diagnostics.Metrics;

namespace ThreadSafe.Diagnostics;

/// <summary>
/// The guards' contention instruments on the "ThreadSafe" meter, recorded only for acquisitions that diagnostics
/// instrument (see <see cref="LockDiagnosticsOptions.Metrics"/> and the guards' <c>RecordsMetrics</c>).
/// </summary>
/// <remarks>
/// Names follow OpenTelemetry's conventions (<c>threadsafe.lock.*</c>, durations in seconds, like the runtime's
/// <c>dotnet.monitor.lock_contentions</c>); every measurement carries <c>threadsafe.name</c> (the guard's name) and
/// <c>threadsafe.lock.access</c> (<c>exclusive</c>, <c>read</c> or <c>write</c>). The guards record after releasing
/// their locks, so a listener never runs under a guard's lock; recording goes through <see cref="ThreadSafeMeter"/>, so a
/// listener that throws loses its measurement, nothing else.
/// </remarks>
internal static class LockMetrics
{
    /// <summary>The tag carrying the guard's name, shared by every primitive's instruments.</summary>
    public const string NameTag = ThreadSafeMeter.NameTag;

    /// <summary>The tag carrying how the guard was taken.</summary>
    public const string AccessTag = "threadsafe.lock.access";

    /// <summary>Acquisitions that found the guard taken and had to wait (or gave up: a try with a timeout).</summary>
    public static readonly Counter<long> Contentions =
        ThreadSafeMeter.Meter.CreateCounter<long>("threadsafe.lock.contentions", "{contention}", "Acquisitions of a guard that found it taken and had to wait.");

    /// <summary>Time from asking for a guard to getting it (zero when it was free).</summary>
    public static readonly Histogram<double> WaitDuration =
        ThreadSafeMeter.Meter.CreateHistogram<double>("threadsafe.lock.wait.duration", "s", "Time a flow waited to acquire a guard (zero when it was free).");

    /// <summary>Time from getting a guard to releasing it.</summary>
    public static readonly Histogram<double> HoldDuration =
        ThreadSafeMeter.Meter.CreateHistogram<double>("threadsafe.lock.hold.duration", "s", "Time a flow held a guard.");

    private static readonly KeyValuePair<string, object?> Exclusive = new(AccessTag, "exclusive");
    private static readonly KeyValuePair<string, object?> Read = new(AccessTag, "read");
    private static readonly KeyValuePair<string, object?> Write = new(AccessTag, "write");

    /// <summary>Counts one contention.</summary>
    public static void Contended(LockState state, LockAccess access) =>
        ThreadSafeMeter.Add(Contentions, 1, state.NameTag, Tag(access));

    /// <summary>Records the wait and hold of one acquisition, after the guard was released.</summary>
    public static void Acquisition(LockState state, LockAccess access, TimeSpan wait, TimeSpan hold)
    {
        ThreadSafeMeter.Record(WaitDuration, wait.TotalSeconds, state.NameTag, Tag(access));
        ThreadSafeMeter.Record(HoldDuration, hold.TotalSeconds, state.NameTag, Tag(access));
    }

    private static KeyValuePair<string, object?> Tag(LockAccess access) => access switch
    {
        LockAccess.Read => Read,
        LockAccess.Write => Write,
        _ => Exclusive,
    };
}
