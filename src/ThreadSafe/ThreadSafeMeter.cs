using System.Diagnostics.Metrics;

namespace ThreadSafe;

/// <summary>The one System.Diagnostics.Metrics meter, named "ThreadSafe", that every primitive's instruments live on.</summary>
internal static class ThreadSafeMeter
{
    /// <summary>The meter's name, for listeners: <c>MeterListener</c> or <c>dotnet-counters --counters ThreadSafe</c>.</summary>
    public const string Name = "ThreadSafe";

    /// <summary>The shared meter.</summary>
    public static readonly Meter Meter = new(Name, typeof(ThreadSafeMeter).Assembly.GetName().Version?.ToString());
}
