// SqliteWriter: the single-writer pattern on a real SQLite WAL database (synchronous=FULL), compared in the same run with
// the naive ways. One SingleWriter<SqliteConnection> owns the write connection and commits queued writes in groups
// (BEGIN IMMEDIATE per batch, a SAVEPOINT per write); reads lease read-only connections from a pool and run in parallel.
// Exit code: 1 only if a verification fails. Speed targets are printed, never enforced (the machine may be slow).
// Sizes: set SQLITEWRITER_SCALE (default 1) to multiply the row counts.
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.ObjectPool;
using SqliteWriter;
using ThreadSafe;

const int Submitters = 16;
int scale = int.TryParse(Environment.GetEnvironmentVariable("SQLITEWRITER_SCALE"), out int s) && s > 0 ? s : 1;
var failures = new List<string>();
void Verify(bool ok, string what)
{
    Console.WriteLine($"  [{(ok ? "ok" : "FAIL")}] {what}");
    if (!ok)
    {
        failures.Add(what);
    }
}

Console.WriteLine($"SQLite {GetVersion()} via Microsoft.Data.Sqlite, WAL, synchronous=FULL, {Environment.ProcessorCount} cores, {Submitters} submitters");

// 1. Baseline: one transaction (autocommit) per insert, one thread.
double oneTxPerWrite;
using (var db = new Database("one-tx-per-write"))
using (SqliteConnection connection = db.OpenWrite())
{
    int rows = 1_000 * scale;
    var watch = Stopwatch.StartNew();
    for (int i = 0; i < rows; i++)
    {
        Database.Insert(connection, 0, i);
    }

    oneTxPerWrite = rows / watch.Elapsed.TotalSeconds;
    Console.WriteLine($"one transaction per write, 1 thread:            {oneTxPerWrite,10:N0} rows/s ({rows:N0} rows)");
}

// 2. Naive concurrency: every thread its own connection; Microsoft.Data.Sqlite retries SQLITE_BUSY itself, so contention
//    shows up as stalls (and, past the command timeout, as "database is locked" errors).
using (var db = new Database("own-connections"))
{
    NaiveResult naive = Naive.OwnConnections(db, Submitters, 100 * scale);
    Console.WriteLine(
        $"each thread its own connection (busy timeout):  {naive.RowsPerSecond,10:N0} rows/s; lock errors {naive.LockErrors}, " +
        $"stalls > 100 ms {naive.Stalls}, latency p50 {naive.P50Ms:0.0} ms, p99 {naive.P99Ms:0.0} ms, max {naive.MaxMs:0} ms");
}

// 3. SingleWriter, 16 submitters each awaiting its write (group commit gathers what is queued meanwhile).
double awaited, pipelined;
var ratioLines = new List<string>();
using (var db = new Database("single-writer"))
{
    var pool = new DisposablePooledObjectPolicy<SqliteConnection>(db.OpenReadOnly).CreatePool(maximumRetained: Submitters);
    SingleWriter<SqliteConnection> writer = db.CreateWriter(maxBatchSize: 256, name: "sqlite-writer");
    var acknowledged = new List<(int Submitter, int Seq)>[Submitters * 2];
    int lockErrors = 0, readChecksFailed = 0;

    int perSubmitter = 300 * scale;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Submitters).Select(submitter => Task.Run(async () =>
    {
        var mine = acknowledged[submitter] = [];
        for (int seq = 0; seq < perSubmitter; seq++)
        {
            try
            {
                await writer.ExecuteAsync(c => Database.Insert(c, submitter, seq));
                mine.Add((submitter, seq));
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
            {
                Interlocked.Increment(ref lockErrors);
            }

            if (seq % 50 == 49)
            {
                // Reads run on pooled read-only connections, in parallel with the writer: acknowledged means committed,
                // so a read started after the acknowledgement sees every acknowledged write of this submitter.
                using PoolLease<SqliteConnection> lease = pool.Rent();
                if (Database.Count(lease.Value, $"submitter = {submitter}") < mine.Count)
                {
                    Interlocked.Increment(ref readChecksFailed);
                }
            }
        }
    })));
    awaited = Submitters * perSubmitter / watch.Elapsed.TotalSeconds;
    Console.WriteLine($"SingleWriter, 16 submitters awaiting each write: {awaited,10:N0} rows/s ({Submitters * perSubmitter:N0} rows)");

    // 4. Pipelined: each submitter keeps many writes outstanding (ExecuteAsync without awaiting each one).
    perSubmitter = 5_000 * scale;
    watch.Restart();
    await Task.WhenAll(Enumerable.Range(Submitters, Submitters).Select(submitter => Task.Run(async () =>
    {
        var mine = acknowledged[submitter] = [];
        var pending = new Task[perSubmitter];
        for (int seq = 0; seq < perSubmitter; seq++)
        {
            int q = seq;
            pending[seq] = writer.ExecuteAsync(c => Database.Insert(c, submitter, q));
        }

        for (int seq = 0; seq < perSubmitter; seq++)
        {
            try
            {
                await pending[seq];
                mine.Add((submitter, seq));
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
            {
                Interlocked.Increment(ref lockErrors);
            }
        }
    })));
    pipelined = Submitters * perSubmitter / watch.Elapsed.TotalSeconds;
    Console.WriteLine($"SingleWriter, 16 submitters pipelining writes:  {pipelined,10:N0} rows/s ({Submitters * perSubmitter:N0} rows)");

    // 5. A failing write inside a batch: hold the writer, queue ok / failing / ok, release: one batch of three.
    using var hold = new ManualResetEvent(false);
    Task blocker = writer.ExecuteAsync(_ => hold.WaitOne(TimeSpan.FromSeconds(30)));
    Task ok1 = writer.ExecuteAsync(c => Database.Insert(c, 1000, 1));
    Task bad = writer.ExecuteAsync(c =>
    {
        Database.Insert(c, 1000, 2);
        throw new InvalidOperationException("this write fails after inserting its row");
    });
    Task ok2 = writer.ExecuteAsync(c => Database.Insert(c, 1000, 3));
    hold.Set();
    await blocker;
    await Task.WhenAll(ok1, ok2);
    bool badFailed = await bad.ContinueWith(t => t.IsFaulted, TaskScheduler.Default);

    await writer.CompleteAsync();
    ((IDisposable)pool).Dispose();

    Console.WriteLine("verification (database re-opened after CompleteAsync):");
    using SqliteConnection reopened = db.OpenReadOnly();
    var present = new HashSet<(int, int)>();
    using (SqliteCommand all = reopened.CreateCommand())
    {
        all.CommandText = "SELECT submitter, seq FROM rows;";
        using SqliteDataReader reader = all.ExecuteReader();
        while (reader.Read())
        {
            present.Add((reader.GetInt32(0), reader.GetInt32(1)));
        }
    }

    int acked = acknowledged.Sum(a => a.Count);
    int missing = acknowledged.SelectMany(a => a).Count(key => !present.Contains(key));
    Verify(missing == 0, $"every acknowledged write is in the database ({acked:N0} acknowledged, {missing} missing)");
    Verify(present.Count == acked + 2, $"nothing else is in it ({present.Count:N0} rows = {acked:N0} + the 2 good writes of the batch)");
    Verify(lockErrors == 0, $"no SQLITE_BUSY / \"database is locked\" error ({lockErrors})");
    Verify(readChecksFailed == 0, $"reads on pooled read-only connections saw every acknowledged write ({readChecksFailed} misses)");
    Verify(badFailed && !present.Contains((1000, 2)), "the failing write reported its error and its row was rolled back");
    Verify(present.Contains((1000, 1)) && present.Contains((1000, 3)), "the other writes of its batch committed");
}

Console.WriteLine("ratios (same run):");
Ratio("awaiting submitters vs one transaction per write", awaited / oneTxPerWrite, 10);
Ratio("pipelined writes vs one transaction per write", pipelined / oneTxPerWrite, 50);
Console.WriteLine(failures.Count == 0 ? "All verifications passed." : $"{failures.Count} verification(s) FAILED.");
return failures.Count == 0 ? 0 : 1;

static void Ratio(string what, double ratio, double target) =>
    Console.WriteLine($"  {what}: {ratio:0.0}x (target >= {target}x: {(ratio >= target ? "met" : "NOT met on this machine")})");

static string GetVersion()
{
    using var connection = new SqliteConnection("Data Source=:memory:");
    connection.Open();
    return connection.ServerVersion;
}
