using System.Diagnostics;
using Microsoft.Data.Sqlite;
using ThreadSafe.Sqlite;

namespace SqliteWriter;

/// <summary>A WAL database file in a temporary folder, plain connections for the naive ways, and SQL helpers.</summary>
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

    /// <summary>Opens the same file as a <see cref="SqliteDatabase"/> (after the plain set-up connection closed).</summary>
    public SqliteDatabase OpenDatabase(SqliteDatabaseOptions? options = null) => SqliteDatabase.Open(Path_, options);

    // Pooling=False: the sample must be able to delete the file.
    public SqliteConnection OpenWrite()
    {
        var connection = new SqliteConnection($"Data Source={Path_};Pooling=False");
        connection.Open();
        Run(connection, "PRAGMA synchronous=FULL;");
        return connection;
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
    // a naive worker, or the read that holds it), so its inner dictionary needs no lock; the table itself is thread-safe.
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
