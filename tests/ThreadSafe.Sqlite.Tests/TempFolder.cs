using Microsoft.Data.Sqlite;

namespace ThreadSafe.Sqlite.Tests;

/// <summary>A temporary folder for real database files (WAL, -shm), deleted when disposed; and small SQL helpers.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Folder = Path.Combine(Path.GetTempPath(), $"threadsafe-sqlite-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public string File(string name = "test.db") => Path.Combine(Folder, name);

    /// <summary>Opens a database with a table <c>t(id INTEGER PRIMARY KEY, v TEXT)</c>.</summary>
    public SqliteDatabase OpenWithTable(SqliteDatabaseOptions? options = null, string name = "test.db")
    {
        SqliteDatabase db = SqliteDatabase.Open(File(name), options);
        db.Write(c => Exec(c, "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT);"));
        return db;
    }

    public static int Exec(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public static void Insert(SqliteConnection connection, long id, string value = "v")
    {
        using SqliteCommand insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO t (id, v) VALUES ($id, $v);";
        insert.Parameters.AddWithValue("$id", id);
        insert.Parameters.AddWithValue("$v", value);
        insert.ExecuteNonQuery();
    }

    public static long Count(SqliteConnection connection, string where = "1=1") => (long)Scalar(connection, $"SELECT COUNT(*) FROM t WHERE {where};")!;

    /// <summary>Opens a plain connection to the file after the database was closed, to check what is on disk.</summary>
    public SqliteConnection Reopen(string name = "test.db")
    {
        var connection = new SqliteConnection($"Data Source={File(name)};Pooling=False");
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a failed test: leave it in the temp folder.
        }
    }
}
