using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using ThreadSafe.Sqlite;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// Rows per second into a real SQLite WAL file (synchronous=FULL, on the machine's disk), every contender in the same
/// run; times are per row (OperationsPerInvoke), so the ratio column compares rows/s. Baseline: one transaction per write
/// (autocommit inserts on one connection, one thread). Contenders: 16 submitters each awaiting its write behind a global
/// SemaphoreSlim write lock with a transaction per call (the common hand-written fix); the same 16 submitters through
/// <see cref="SqliteDatabase"/> without and with a commit delay; and 16 submitters pipelining writes through it.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SqliteBenchmarks
{
    private const int Submitters = 16;
    private const int AwaitedPerSubmitter = 16;
    private const int AwaitedRows = Submitters * AwaitedPerSubmitter;
    private const int PipelinedPerSubmitter = 1_000;
    private const int PipelinedRows = Submitters * PipelinedPerSubmitter;

    private string _folder = null!;
    private SqliteConnection _connection = null!;
    private SemaphoreSlim _writeLock = null!;
    private SqliteDatabase _database = null!;
    private SqliteDatabase _delayed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"threadsafe-sqlite-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(_folder);
        _connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "plain.db")};Pooling=False");
        _connection.Open();
        Exec(_connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;");
        Exec(_connection, CreateTable);
        _writeLock = new SemaphoreSlim(1, 1);
        _database = OpenDatabase("database.db", TimeSpan.Zero);
        _delayed = OpenDatabase("delayed.db", TimeSpan.FromMilliseconds(2));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _database.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _delayed.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _connection.Dispose();
        _writeLock.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = AwaitedRows, Description = "one transaction per write (1 thread)")]
    public void OneTransactionPerWrite()
    {
        for (int i = 0; i < AwaitedRows; i++)
        {
            Insert(_connection, 0);
        }
    }

    [Benchmark(OperationsPerInvoke = AwaitedRows, Description = "16 awaiting submitters, SemaphoreSlim lock + tx per call")]
    public Task SemaphoreLockPerCallTransaction() => Submit(async submitter =>
    {
        for (int i = 0; i < AwaitedPerSubmitter; i++)
        {
            await _writeLock.WaitAsync();
            try
            {
                Exec(_connection, "BEGIN IMMEDIATE;");
                Insert(_connection, submitter);
                Exec(_connection, "COMMIT;");
            }
            finally
            {
                _writeLock.Release();
            }
        }
    });

    [Benchmark(OperationsPerInvoke = AwaitedRows, Description = "16 awaiting submitters, SqliteDatabase")]
    public Task SqliteDatabaseAwaited() => Submit(async submitter =>
    {
        for (int i = 0; i < AwaitedPerSubmitter; i++)
        {
            await _database.WriteAsync(c => Insert(c, submitter));
        }
    });

    [Benchmark(OperationsPerInvoke = AwaitedRows, Description = "16 awaiting submitters, SqliteDatabase, MaxCommitDelay 2 ms")]
    public Task SqliteDatabaseAwaitedWithCommitDelay() => Submit(async submitter =>
    {
        for (int i = 0; i < AwaitedPerSubmitter; i++)
        {
            await _delayed.WriteAsync(c => Insert(c, submitter));
        }
    });

    [Benchmark(OperationsPerInvoke = PipelinedRows, Description = "16 pipelining submitters, SqliteDatabase")]
    public Task SqliteDatabasePipelined() => Submit(async submitter =>
    {
        var pending = new Task[PipelinedPerSubmitter];
        for (int i = 0; i < PipelinedPerSubmitter; i++)
        {
            pending[i] = _database.WriteAsync(c => Insert(c, submitter));
        }

        await Task.WhenAll(pending);
    });

    private const string CreateTable = "CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, submitter INTEGER NOT NULL, payload TEXT NOT NULL);";

    private SqliteDatabase OpenDatabase(string file, TimeSpan commitDelay)
    {
        SqliteDatabase database = SqliteDatabase.Open(Path.Combine(_folder, file), new SqliteDatabaseOptions { MaxCommitDelay = commitDelay });
        database.Write(c => Exec(c, CreateTable));
        return database;
    }

    private static Task Submit(Func<int, Task> submitter) =>
        Task.WhenAll(Enumerable.Range(0, Submitters).Select(s => Task.Run(() => submitter(s))));

    private static void Insert(SqliteConnection connection, int submitter)
    {
        using SqliteCommand insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO rows (submitter, payload) VALUES ($s, 'payload');";
        insert.Parameters.AddWithValue("$s", submitter);
        insert.ExecuteNonQuery();
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
