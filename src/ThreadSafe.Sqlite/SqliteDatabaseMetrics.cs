using System.Diagnostics.Metrics;

namespace ThreadSafe.Sqlite;

/// <summary>Instruments of <see cref="SqliteDatabase"/> on the "ThreadSafe" meter; each measurement is tagged <c>threadsafe.name</c> with the database's name.</summary>
/// <remarks>
/// This assembly creates its own <see cref="Meter"/> named "ThreadSafe" (listeners select meters by name, so
/// <c>dotnet-counters monitor --counters ThreadSafe</c> shows these beside the other primitives' instruments). With no
/// listener, recording costs a check inside the instrument.
/// </remarks>
internal static class SqliteDatabaseMetrics
{
    public const string MeterName = "ThreadSafe";

    public const string NameTag = "threadsafe.name";

    public static readonly Meter Meter = new(MeterName, typeof(SqliteDatabaseMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>Writes committed together in one transaction.</summary>
    public static readonly Histogram<int> BatchSize =
        Meter.CreateHistogram<int>("threadsafe.sqlite.batch.size", "{write}", "Writes committed in one SQLite transaction (group commit).");

    /// <summary>Duration of the COMMIT of a batch (with synchronous=FULL, mostly the fsync).</summary>
    public static readonly Histogram<double> CommitDuration =
        Meter.CreateHistogram<double>("threadsafe.sqlite.commit.duration", "s", "Time the COMMIT of one batch took.");

    /// <summary>Writes accepted and not yet started, cancelled or rejected.</summary>
    public static readonly UpDownCounter<long> QueueLength =
        Meter.CreateUpDownCounter<long>("threadsafe.sqlite.queue.length", "{write}", "Writes waiting for the SQLite writer thread.");

    /// <summary>Reads that found every read connection in use and had to wait for one.</summary>
    public static readonly Counter<long> ReadPoolWaits =
        Meter.CreateCounter<long>("threadsafe.sqlite.read_pool.waits", "{read}", "Reads that waited for a free read connection.");

    /// <summary>How long those reads waited.</summary>
    public static readonly Histogram<double> ReadPoolWaitDuration =
        Meter.CreateHistogram<double>("threadsafe.sqlite.read_pool.wait.duration", "s", "Time a read waited for a free read connection.");

    public static KeyValuePair<string, object?> Tag(string name) => new(NameTag, name);
}
