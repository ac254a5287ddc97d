using System.Diagnostics.Metrics;

namespace ThreadSafe.Sqlite;

/// <summary>Instruments of <see cref="SqliteDatabase"/> on the "ThreadSafe" meter; each measurement is tagged <c>threadsafe.name</c> with the database's name.</summary>
/// <remarks>
/// <see cref="ThreadSafeMeter"/> is compiled into this assembly from ThreadSafe's own source file, so this package creates
/// its own <see cref="Meter"/> named "ThreadSafe" (listeners select meters by name: <c>dotnet-counters monitor --counters
/// ThreadSafe</c> shows these beside the other primitives' instruments) and records the same way, without access to
/// ThreadSafe's internals: with no listener a recording costs one <see cref="Instrument.Enabled"/> read, and a listener
/// that throws loses its measurement, never a write, its acknowledgement or a read.
/// </remarks>
internal static class SqliteDatabaseMetrics
{
    /// <summary>Writes committed together in one transaction.</summary>
    public static readonly Histogram<int> BatchSize =
        ThreadSafeMeter.Meter.CreateHistogram<int>("threadsafe.sqlite.batch.size", "{write}", "Writes committed in one SQLite transaction (group commit).");

    /// <summary>Duration of the COMMIT of a batch (with synchronous=FULL, mostly the fsync).</summary>
    public static readonly Histogram<double> CommitDuration =
        ThreadSafeMeter.Meter.CreateHistogram<double>("threadsafe.sqlite.commit.duration", "s", "Time the COMMIT of one batch took.");

    /// <summary>Writes accepted and not yet started, cancelled or rejected.</summary>
    public static readonly UpDownCounter<long> QueueLength =
        ThreadSafeMeter.Meter.CreateUpDownCounter<long>("threadsafe.sqlite.queue.length", "{write}", "Writes waiting for the SQLite writer thread.");

    /// <summary>Reads that found every read connection in use and had to wait for one.</summary>
    public static readonly Counter<long> ReadPoolWaits =
        ThreadSafeMeter.Meter.CreateCounter<long>("threadsafe.sqlite.read_pool.waits", "{read}", "Reads that waited for a free read connection.");

    /// <summary>How long those reads waited.</summary>
    public static readonly Histogram<double> ReadPoolWaitDuration =
        ThreadSafeMeter.Meter.CreateHistogram<double>("threadsafe.sqlite.read_pool.wait.duration", "s", "Time a read waited for a free read connection.");

    /// <summary>The <c>threadsafe.name</c> tag of a database.</summary>
    public static KeyValuePair<string, object?> Tag(string name) => new(ThreadSafeMeter.NameTag, name);
}
