using System.Diagnostics;
using Microsoft.Data.Sqlite;
using ThreadSafe;

namespace SqliteWriter;

/// <summary>A WAL database file in a temporary folder, and the connections the sample uses on it.</summary>
internal sealed class Database : IDisposable
{
    public Database(string name)
    {
        Folder = Path.Combine(Path.GetTempPath(), $"threadsafe-sqlite-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Folder);
        Path_ = Path.Combine(Folder, name + ".db");
        using SqliteConnection setup = OpenWrite();
        Run(setup, "PRAGMA journal_mode=WAL;");
        Run(setup, "CREATE TABLE rows (submitter INTEGER NOT NULL, seq INTEGER NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (submitter, seq));");
    }

    public string Folder { get; }

    public string Path_ { get; }

    // Pooling=False: the sample pools read connections itself (ObjectPool leases) and must be able to delete the file.
    public SqliteConnection OpenWrite()
    {
        var connection = new SqliteConnection($"Data Source={Path_};Pooling=False");
        connection.Open();
        Run(connection, "PRAGMA synchronous=FULL;");
        return connection;
    }

    public SqliteConnection OpenReadOnly()
    {
        var connection = new SqliteConnection($"Data Source={Path_};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>The write side: one writer thread owns the connection; batches are one IMMEDIATE transaction, each write a savepoint.</summary>
    public SingleWriter<SqliteConnection> CreateWriter(int maxBatchSize, string name)
    {
        var options = new SingleWriterOptions<SqliteConnection>
        {
            Name = name,
            MaxBatchSize = maxBatchSize,
            Capacity = 4096,
            BeginBatch = c => Run(c, "BEGIN IMMEDIATE;"),
            BeginWrite = c => Run(c, "SAVEPOINT w;"),
            EndWrite = c => Run(c, "RELEASE w;"),
            RollbackWrite = c => Run(c, "ROLLBACK TO w; RELEASE w;"),
            CommitBatch = c => Run(c, "COMMIT;"),
            RollbackBatch = c => Run(c, "ROLLBACK;"),
            OnError = ex => Console.Error.WriteLine($"writer error: {ex.Message}"),
        };
        return new SingleWriter<SqliteConnection>(OpenWrite, options);
    }

    public static void Insert(SqliteConnection connection, int submitter, int seq)
    {
        SqliteCommand insert = Cached(connection, "INSERT INTO rows (submitter, seq, payload) VALUES ($s, $q, 'payload');");
        insert.Parameters["$s"].Value = submitter;
        insert.Parameters["$q"].Value = seq;
        insert.ExecuteNonQuery();
    }

    public static long Count(SqliteConnection connection, string where = "1=1")
    {
        using SqliteCommand count = connection.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM rows WHERE {where};";
        return (long)count.ExecuteScalar()!;
    }

    public static void Run(SqliteConnection connection, string sql) => Cached(connection, sql).ExecuteNonQuery();

    // One prepared command per connection and SQL text. A connection is used by one thread at a time (the writer thread,
    // a naive worker, or the holder of a read lease), so its inner dictionary needs no lock; the table itself is thread-safe.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SqliteConnection, Dictionary<string, SqliteCommand>> Statements = new();

    private static SqliteCommand Cached(SqliteConnection connection, string sql)
    {
        Dictionary<string, SqliteCommand> commands = Statements.GetOrCreateValue(connection);
        if (!commands.TryGetValue(sql, out SqliteCommand? command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            if (sql.Contains("$s", StringComparison.Ordinal))
            {
                command.Parameters.Add("$s", SqliteType.Integer);
                command.Parameters.Add("$q", SqliteType.Integer);
            }

            command.Prepare();
            commands[sql] = command;
        }

        return command;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException ex)
        {
            Debug.WriteLine(ex);
        }
    }
}
