// SqliteWriter: ThreadSafe.Sqlite's SqliteDatabase on a real SQLite WAL database (synchronous=FULL), compared in the same
// run with the naive ways. One writer thread owns the write connection and commits queued writes in groups (BEGIN
// IMMEDIATE per batch, a SAVEPOINT per write); reads run in parallel on pooled read-only connections.
// Exit code: 1 only if a verification fails. Speed targets are printed, never enforced (the machine may be slow or shared).
// Sizes: SQLITEWRITER_SCALE (default 1) multiplies the row counts; SQLITEWRITER_ROUNDS (default 3) is the number of
// interleaved rounds of the write comparisons; SQLITEWRITER_SECONDS (default 5) is the length of each read phase.
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SqliteWriter;
using ThreadSafe.Sqlite;

const int Submitters = 16;
int scale = EnvInt("SQLITEWRITER_SCALE", 1);
int rounds = EnvInt("SQLITEWRITER_ROUNDS", 3);
int readSeconds = EnvInt("SQLITEWRITER_SECONDS", 5);
var failures = new List<string>();
void Verify(bool ok, string what)
{
    Console.WriteLine($"  [{(ok ? "ok" : "FAIL")}] {what}");
    if (!ok)
    {
        failures.Add(what);
    }
}

Console.WriteLine($"SQLite {GetVersion()} via Microsoft.Data.Sqlite, WAL, synchronous=FULL, {Environment.ProcessorCount} cores, {Submitters} submitters, {rounds} interleaved rounds");

// 1. The naive way first: every thread its own connection. Microsoft.Data.Sqlite retries SQLITE_BUSY itself, so
//    contention shows up as stalls (and, past the command timeout, as "database is locked" errors).
using (var db = new Database("own-connections"))
{
    NaiveResult naive = Naive.OwnConnections(db, Submitters, 50 * scale);
    Console.WriteLine(
        $"each thread its own connection (busy timeout):  {naive.RowsPerSecond,10:N0} rows/s; lock errors {naive.LockErrors}, " +
        $"stalls > 100 ms {naive.Stalls}, latency p50 {naive.P50Ms:0.0} ms, p99 {naive.P99Ms:0.0} ms, max {naive.MaxMs:0} ms");
}

// 2. Interleaved rounds (A B C D E, A B C D E, ...): one transaction per write; a global SemaphoreSlim write lock around
//    a transaction per call; SqliteDatabase with 16 submitters awaiting each write, without and with a commit delay; and
//    pipelined. Ratios are taken within a round, then the median over rounds is quoted.
var contenders = new (string Name, Func<Database, SqliteDatabase?, int, Task<double>> Run, bool Delay)[]
{
    ("one transaction per write, 1 thread", (db, _, seed) => Task.FromResult(OneTransactionPerWrite(db, 300 * scale, seed)), false),
    ("SemaphoreSlim lock + tx per call, 16 awaiting", (db, _, seed) => SemaphoreLock(db, 20 * scale, seed), false),
    ("SqliteDatabase, 16 awaiting", (_, sdb, seed) => Awaited(sdb!, 40 * scale, seed), false),
    ("SqliteDatabase, 16 awaiting, MaxCommitDelay 2 ms", (_, sdb, seed) => Awaited(sdb!, 40 * scale, seed), true),
    ("SqliteDatabase, 16 pipelining", (_, sdb, seed) => Pipelined(sdb!, 1_000 * scale, seed), false),
};
var results = new double[contenders.Length][];
for (int c = 0; c < contenders.Length; c++)
{
    results[c] = new double[rounds];
}

using (var plain = new Database("plain"))
using (var shared = new Database("shared"))
{
    using SqliteConnection plainConnection = plain.OpenWrite();
    await using SqliteDatabase database = shared.OpenDatabase(new SqliteDatabaseOptions { Name = "sample" });
    using var delayedFile = new Database("delayed");
    await using SqliteDatabase delayed = delayedFile.OpenDatabase(new SqliteDatabaseOptions { Name = "sample-delayed", MaxCommitDelay = TimeSpan.FromMilliseconds(2) });
    for (int round = 0; round < rounds; round++)
    {
        for (int c = 0; c < contenders.Length; c++)
        {
            int seed = (round * 100) + c + 1; // distinct submitter ids per round and contender: no primary-key clashes
            results[c][round] = await contenders[c].Run(plain, contenders[c].Delay ? delayed : database, seed);
        }
    }
}

for (int c = 0; c < contenders.Length; c++)
{
    Console.WriteLine($"{contenders[c].Name,-50} {Median(results[c]),10:N0} rows/s (rounds: {string.Join(", ", results[c].Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))})");
}

Console.WriteLine("ratios (median over rounds of the ratio within a round):");
Ratio("16 awaiting, SqliteDatabase vs one transaction per write", 2, 0, 10);
Ratio("16 awaiting, SqliteDatabase vs SemaphoreSlim lock + tx per call", 2, 1, 3);
Ratio("16 awaiting, SqliteDatabase + MaxCommitDelay vs one transaction per write", 3, 0, 10);
Ratio("16 awaiting, SqliteDatabase + MaxCommitDelay vs SemaphoreSlim lock + tx per call", 3, 1, 3);
Ratio("16 pipelining, SqliteDatabase vs one transaction per write", 4, 0, 50);

// 3. Reads beside writes: 16 readers alone, then 16 readers while 16 writers run, each for a few seconds; no
//    SQLITE_BUSY anywhere, and reads keep going while the writer commits.
using (var db = new Database("read-write"))
{
    await using SqliteDatabase database = db.OpenDatabase(new SqliteDatabaseOptions { Name = "sample-reads" });
    await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => database.WriteAsync(c => Database.Insert(c, 999, i))));
    (double readsAlone, _, int busyAlone) = await ReadsAndWrites(database, readers: Submitters, writers: 0, readSeconds);
    (double readsWithWriters, double writes, int busyMixed) = await ReadsAndWrites(database, readers: Submitters, writers: Submitters, readSeconds);
    Console.WriteLine($"16 readers alone:              {readsAlone,10:N0} reads/s ({readSeconds} s)");
    Console.WriteLine($"16 readers beside 16 writers:  {readsWithWriters,10:N0} reads/s, {writes,8:N0} writes/s ({readSeconds} s)");
    double share = readsWithWriters / readsAlone;
    Console.WriteLine($"  reads/s with writers / reads/s alone: {share:P0} (target >= 50%: {(share >= 0.5 ? "met" : "NOT met on this machine")})");
    Verify(busyAlone + busyMixed == 0, $"no SQLITE_BUSY / \"database is locked\" error among readers and writers ({busyAlone + busyMixed})");
}

// 4. What a failing write does to its batch, and every acknowledged write after re-opening.
using (var db = new Database("verification"))
{
    var acknowledged = new List<(int Submitter, int Seq)>();
    bool badFailed, refusedCommit;
    int readChecksFailed = 0;
    await using (SqliteDatabase database = db.OpenDatabase(new SqliteDatabaseOptions { Name = "sample-verify" }))
    {
        await Task.WhenAll(Enumerable.Range(0, Submitters).Select(submitter => Task.Run(async () =>
        {
            for (int seq = 0; seq < 50; seq++)
            {
                await database.WriteAsync(c => Database.Insert(c, submitter, seq));
                lock (acknowledged)
                {
                    acknowledged.Add((submitter, seq));
                }

                // Acknowledged means committed: a read started now sees every acknowledged write of this submitter.
                if (await database.ReadAsync(c => Database.Count(c, $"submitter = {submitter}")) < seq + 1)
                {
                    Interlocked.Increment(ref readChecksFailed);
                }
            }
        })));

        // Hold the writer, queue ok / failing / commits-by-itself / ok, release: they run as one batch.
        using var hold = new ManualResetEventSlim();
        Task blocker = database.WriteAsync(_ => hold.Wait(TimeSpan.FromSeconds(30)));
        Task ok1 = database.WriteAsync(c => Database.Insert(c, 1000, 1));
        Task bad = database.WriteAsync(c =>
        {
            Database.Insert(c, 1000, 2);
            throw new InvalidOperationException("this write fails after inserting its row");
        });
        Task commits = database.WriteAsync(c =>
        {
            Database.Insert(c, 1000, 3);
            Database.Run(c, "COMMIT;");
        });
        Task ok2 = database.WriteAsync(c => Database.Insert(c, 1000, 4));
        hold.Set();
        await Task.WhenAll(blocker, ok1, ok2);
        badFailed = await bad.ContinueWith(t => t.IsFaulted, TaskScheduler.Default);
        refusedCommit = await commits.ContinueWith(t => t.Exception?.InnerException is InvalidOperationException, TaskScheduler.Default);
    } // DisposeAsync: commit, checkpoint, close

    Console.WriteLine("verification (database re-opened after DisposeAsync):");
    using SqliteConnection reopened = db.OpenWrite();
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

    int missing = acknowledged.Count(key => !present.Contains(key));
    Verify(missing == 0, $"every acknowledged write is in the database ({acknowledged.Count:N0} acknowledged, {missing} missing)");
    Verify(present.Count == acknowledged.Count + 2, $"nothing else is in it ({present.Count:N0} rows = {acknowledged.Count:N0} + the 2 good writes of the batch)");
    Verify(readChecksFailed == 0, $"reads on pooled read-only connections saw every acknowledged write ({readChecksFailed} misses)");
    Verify(badFailed && !present.Contains((1000, 2)), "the failing write reported its error and its row was rolled back");
    Verify(refusedCommit && !present.Contains((1000, 3)), "the write that ran COMMIT itself was refused with InvalidOperationException and rolled back");
    Verify(present.Contains((1000, 1)) && present.Contains((1000, 4)), "the other writes of its batch committed");
    Verify((string)new SqliteCommand("PRAGMA integrity_check;", reopened).ExecuteScalar()! == "ok", "PRAGMA integrity_check is ok");
}

Console.WriteLine(failures.Count == 0 ? "All verifications passed." : $"{failures.Count} verification(s) FAILED.");
return failures.Count == 0 ? 0 : 1;

void Ratio(string what, int contender, int baseline, double target)
{
    double ratio = Median([.. Enumerable.Range(0, rounds).Select(r => results[contender][r] / results[baseline][r])]);
    Console.WriteLine($"  {what}: {ratio:0.0}x (target >= {target}x: {(ratio >= target ? "met" : "NOT met on this machine")})");
}

static double OneTransactionPerWrite(Database db, int rows, int seed)
{
    using SqliteConnection connection = db.OpenWrite();
    var watch = Stopwatch.StartNew();
    for (int i = 0; i < rows; i++)
    {
        Database.Insert(connection, seed * 1000, i);
    }

    return rows / watch.Elapsed.TotalSeconds;
}

static async Task<double> SemaphoreLock(Database db, int perSubmitter, int seed)
{
    using SqliteConnection connection = db.OpenWrite();
    using var writeLock = new SemaphoreSlim(1, 1);
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Submitters).Select(s => Task.Run(async () =>
    {
        for (int i = 0; i < perSubmitter; i++)
        {
            await writeLock.WaitAsync();
            try
            {
                Database.Run(connection, "BEGIN IMMEDIATE;");
                Database.Insert(connection, (seed * 1000) + s, i);
                Database.Run(connection, "COMMIT;");
            }
            finally
            {
                writeLock.Release();
            }
        }
    })));
    return Submitters * perSubmitter / watch.Elapsed.TotalSeconds;
}

static async Task<double> Awaited(SqliteDatabase database, int perSubmitter, int seed)
{
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Submitters).Select(s => Task.Run(async () =>
    {
        for (int i = 0; i < perSubmitter; i++)
        {
            int seq = i;
            await database.WriteAsync(c => Database.Insert(c, (seed * 1000) + s, seq));
        }
    })));
    return Submitters * perSubmitter / watch.Elapsed.TotalSeconds;
}

static async Task<double> Pipelined(SqliteDatabase database, int perSubmitter, int seed)
{
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Submitters).Select(s => Task.Run(async () =>
    {
        var pending = new Task[perSubmitter];
        for (int i = 0; i < perSubmitter; i++)
        {
            int seq = i;
            pending[i] = database.WriteAsync(c => Database.Insert(c, (seed * 1000) + s, seq));
        }

        await Task.WhenAll(pending);
    })));
    return Submitters * perSubmitter / watch.Elapsed.TotalSeconds;
}

static async Task<(double ReadsPerSecond, double WritesPerSecond, int BusyErrors)> ReadsAndWrites(SqliteDatabase database, int readers, int writers, int seconds)
{
    long reads = 0, writes = 0;
    int busy = 0;
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    var watch = Stopwatch.StartNew();
    Task[] readerTasks = [.. Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await database.ReadAsync(c => Database.Count(c, $"submitter = {r}"));
                Interlocked.Increment(ref reads);
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
            {
                Interlocked.Increment(ref busy);
            }
        }
    }))];
    Task[] writerTasks = [.. Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
    {
        for (int i = 0; !stop.IsCancellationRequested; i++)
        {
            int seq = i;
            try
            {
                await database.WriteAsync(c => Database.Insert(c, 2000 + w, seq)); // one mixed phase per run: ids never clash
                Interlocked.Increment(ref writes);
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
            {
                Interlocked.Increment(ref busy);
            }
        }
    }))];
    await Task.WhenAll([.. readerTasks, .. writerTasks]);
    double elapsed = watch.Elapsed.TotalSeconds;
    return (reads / elapsed, writes / elapsed, busy);
}

static double Median(double[] values)
{
    double[] sorted = [.. values.Order()];
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static int EnvInt(string name, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), out int value) && value > 0 ? value : fallback;

static string GetVersion()
{
    using var connection = new SqliteConnection("Data Source=:memory:");
    connection.Open();
    return connection.ServerVersion;
}
