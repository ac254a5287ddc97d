using System.Diagnostics.Metrics;

namespace ThreadSafe.Tests.Shared;

/// <summary>
/// Listens to the "ThreadSafe" meter for the length of a test: enables the instruments whose name starts with a
/// prefix, keeps the measurements (int, long and double instruments, as <see cref="double"/>) tagged with one
/// <c>threadsafe.name</c> (or all of them when no name is given), and answers simple queries over them.
/// An optional callback sees every kept measurement after it was recorded, on the recording thread, so a test
/// can make the listener throw or signal from inside the instrument. Dispose it to stop listening.
/// </summary>
internal sealed class MeterRecorder : IDisposable
{
    private const string NameTag = "threadsafe.name";

    private readonly MeterListener _listener = new();
    private readonly string? _name;
    private readonly Action<Instrument, double>? _onMeasurement;
    private readonly bool _throwing;

    // Measurements the callback of a Throwing recorder threw on (Interlocked: instruments record from any thread).
    private int _thrown;

    // Guards _measurements: instruments record from any thread.
    private readonly object _gate = new();
    private readonly List<RecordedMeasurement> _measurements = [];

    /// <summary>Starts listening to the instruments named <paramref name="instrumentPrefix"/>* of the meter <paramref name="meterName"/>.</summary>
    /// <param name="instrumentPrefix">The start of the instrument names to enable, such as <c>"threadsafe.lock."</c>.</param>
    /// <param name="name">Keep only measurements whose <c>threadsafe.name</c> tag equals this; null keeps all.</param>
    /// <param name="onMeasurement">Called for every kept measurement after it was recorded; it may throw or block.</param>
    /// <param name="meterName">The meter to listen to.</param>
    public MeterRecorder(string instrumentPrefix, string? name = null, Action<Instrument, double>? onMeasurement = null, string meterName = "ThreadSafe")
    {
        _name = name;
        _onMeasurement = onMeasurement;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && instrument.Name.StartsWith(instrumentPrefix, StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Measured(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Measured(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Measured(instrument, value, tags));
        _listener.Start();
    }

    private MeterRecorder(string instrumentPrefix, string? name, bool throwing)
        : this(instrumentPrefix, name)
    {
        _throwing = throwing;
    }

    /// <summary>
    /// The number of measurements a <see cref="Throwing"/> recorder threw on: more than zero shows the library did record
    /// through the failing listener.
    /// </summary>
    public int Thrown => Volatile.Read(ref _thrown);

    /// <summary>A snapshot of the measurements kept so far, in the order they were recorded.</summary>
    public IReadOnlyList<RecordedMeasurement> Measurements
    {
        get
        {
            lock (_gate)
            {
                return [.. _measurements];
            }
        }
    }

    /// <summary>The values recorded so far on the instrument <paramref name="instrument"/>, in order.</summary>
    public IReadOnlyList<double> Values(string instrument) => [.. Measurements.Where(m => m.Instrument == instrument).Select(m => m.Value)];

    /// <summary>The sum of the values recorded so far on <paramref name="instrument"/> (0 when none).</summary>
    public double Sum(string instrument) => Values(instrument).Sum();

    /// <summary>
    /// Starts a recorder that stands for a listener with a bug: after keeping each measurement it throws an
    /// <see cref="InvalidOperationException"/> naming the instrument, on the recording thread (<see cref="Thrown"/> counts them).
    /// </summary>
    /// <param name="instrumentPrefix">The start of the instrument names to enable.</param>
    /// <param name="name">Keep (and throw on) only measurements whose <c>threadsafe.name</c> tag equals this; null: all.</param>
    /// <returns>The recorder; dispose it to stop listening.</returns>
    public static MeterRecorder Throwing(string instrumentPrefix, string? name = null) => new(instrumentPrefix, name, throwing: true);

    /// <summary>Stops listening; measurements kept so far stay queryable.</summary>
    public void Dispose() => _listener.Dispose();

    private void Measured(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        KeyValuePair<string, object?>[] copied = tags.ToArray();
        if (_name is not null && !copied.Any(tag => tag.Key == NameTag && Equals(tag.Value, _name)))
        {
            return;
        }

        lock (_gate)
        {
            _measurements.Add(new RecordedMeasurement(instrument.Name, value, copied));
        }

        _onMeasurement?.Invoke(instrument, value);
        if (_throwing)
        {
            Interlocked.Increment(ref _thrown);
            throw new InvalidOperationException("listener fails on " + instrument.Name);
        }
    }
}
