using System.Data;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ThreadSafe.Sqlite;

/// <summary>
/// The one write connection of a <see cref="SqliteDatabase"/>, used only on its writer thread: it runs the group-commit
/// hooks (<c>BEGIN IMMEDIATE</c>, a savepoint per write, <c>COMMIT</c>), refuses transaction control from inside a write,
/// and checkpoints the WAL when it is closed.
/// </summary>
/// <remarks>
/// Every member except the constructor runs on the writer thread (or, before the writer starts, on the thread that opens
/// the database, which hands the connection over through the writer's start), so its fields need no synchronization.
/// </remarks>
internal sealed class WriteConnection : SqliteConnection
{
    /// <summary>The savepoint that wraps each write. Writes may use savepoints of their own under other names.</summary>
    public const string SavepointName = "threadsafe_write";

    // sqlite3 authorizer action codes and results (sqlite3.h).
    private const int SqliteOk = 0;
    private const int SqliteDeny = 1;
    private const int SqliteAuth = 23;
    private const int ActionTransaction = 22;
    private const int ActionSavepoint = 32;

    private readonly string _name;
    private readonly string _pragmas;
    private readonly delegate_authorizer _authorizer;
    private SqliteCommand? _begin, _savepoint, _release, _rollbackTo, _commit, _rollback;

    // The native handle the pragmas and the authorizer were installed on; a write that closes and reopens the connection
    // gets a new handle, which BeginBatch configures again.
    private sqlite3? _configuredHandle;

    // > 0 while user code (a write) runs; our own statements run with _ownStatement set, so the authorizer lets them through.
    private int _userDepth;
    private bool _ownStatement;

    // What the authorizer last refused during the current write, for the exception that explains it.
    private string? _refused;

    // Writes run in the current batch (for the batch-size metric) and the start of its COMMIT.
    private int _batchWrites;

    public WriteConnection(string connectionString, string name, string pragmas)
        : base(connectionString)
    {
        _name = name;
        _pragmas = pragmas;
        _authorizer = Authorize;
    }

    /// <summary>Opens the connection and switches the database to WAL; throws if that is impossible.</summary>
    public void OpenConfigured()
    {
        Open();
        string mode = (string)Scalar("PRAGMA journal_mode=WAL;")!;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException($"The database could not be switched to WAL mode (journal_mode is '{mode}').");
        }

        Configure();
    }

    // Hooks of the SingleWriter, in the order it calls them.
    public void BeginBatch()
    {
        if (State != ConnectionState.Open)
        {
            // A write closed the connection (its batch failed with that error): reopen for this batch.
            OpenConfigured();
        }
        else if (!ReferenceEquals(Handle, _configuredHandle))
        {
            Configure(); // a write closed and reopened it: pragmas and the authorizer belong to the old handle
        }

        _batchWrites = 0;
        Run(ref _begin, "BEGIN IMMEDIATE;");
    }

    public void BeginWrite()
    {
        _batchWrites++;
        Run(ref _savepoint, $"SAVEPOINT {SavepointName};");
    }

    public void EndWrite()
    {
        ThrowIfClosedByWrite();
        Run(ref _release, $"RELEASE {SavepointName};");
    }

    public void RollbackWrite()
    {
        ThrowIfClosedByWrite();
        Run(ref _rollbackTo, $"ROLLBACK TO {SavepointName}; RELEASE {SavepointName};");
    }

    public void CommitBatch()
    {
        long start = Stopwatch.GetTimestamp();
        Run(ref _commit, "COMMIT;");
        KeyValuePair<string, object?> tag = SqliteDatabaseMetrics.Tag(_name);
        ThreadSafeMeter.Record(SqliteDatabaseMetrics.CommitDuration, Stopwatch.GetElapsedTime(start).TotalSeconds, tag);
        ThreadSafeMeter.Record(SqliteDatabaseMetrics.BatchSize, _batchWrites, tag);
    }

    public void RollbackBatch()
    {
        if (State == ConnectionState.Open && raw.sqlite3_get_autocommit(Handle) == 0)
        {
            Run(ref _rollback, "ROLLBACK;");
        }
    }

    /// <summary>Runs a write's delegate: transaction control inside it is refused with an exception that says why.</summary>
    public T RunUserWrite<T>(Func<SqliteConnection, T> write)
    {
        _userDepth++;
        try
        {
            return write(this);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteAuth && _refused is not null)
        {
            throw new InvalidOperationException(
                $"A write tried to run '{_refused}'. SqliteDatabase '{_name}' runs each write inside its own savepoint of a batch " +
                "transaction that it begins (BEGIN IMMEDIATE) and commits itself, so a write must not begin, commit or roll back " +
                $"a transaction, nor release or roll back the savepoint '{SavepointName}'. Each write is already atomic; for " +
                "partial rollback inside a write, use a SAVEPOINT with a name of your own.",
                ex);
        }
        finally
        {
            if (--_userDepth == 0)
            {
                _refused = null;
            }
        }
    }

    /// <summary>Runs a write submitted from inside another write: inline, in a nested savepoint of its own, so it fails alone.</summary>
    public T RunInlineWrite<T>(Func<SqliteConnection, T> write)
    {
        RunOwn($"SAVEPOINT {SavepointName};");
        T result;
        try
        {
            result = RunUserWrite(write);
        }
        catch
        {
            if (State == ConnectionState.Open)
            {
                RunOwn($"ROLLBACK TO {SavepointName}; RELEASE {SavepointName};");
            }

            throw;
        }

        RunOwn($"RELEASE {SavepointName};");
        return result;
    }

    /// <summary>Checkpoints the WAL into the database file (TRUNCATE) before closing, unless a transaction is open or the connection was never configured.</summary>
    public override void Close()
    {
        if (State != ConnectionState.Open || _userDepth > 0 || !ReferenceEquals(Handle, _configuredHandle) || raw.sqlite3_get_autocommit(Handle) == 0)
        {
            base.Close();
            return;
        }

        try
        {
            RunOwn("PRAGMA wal_checkpoint(TRUNCATE);");
        }
        finally
        {
            base.Close();
        }
    }

    private void Configure()
    {
        RunOwn(_pragmas);
        _ = raw.sqlite3_set_authorizer(Handle, _authorizer, null);
        _configuredHandle = Handle;
    }

    private void ThrowIfClosedByWrite()
    {
        if (State != ConnectionState.Open)
        {
            throw new InvalidOperationException(
                $"A write closed the write connection of SqliteDatabase '{_name}'. Its batch was rolled back and every write " +
                "of the batch fails with this error; the connection is reopened for the next batch. Writes must not close the connection.");
        }
    }

    private int Authorize(object userData, int actionCode, utf8z param0, utf8z param1, utf8z database, utf8z trigger)
    {
        if (_userDepth == 0 || _ownStatement)
        {
            return SqliteOk;
        }

        switch (actionCode)
        {
            case ActionTransaction:
                _refused = $"{param0.utf8_to_string()} TRANSACTION";
                return SqliteDeny;
            case ActionSavepoint when string.Equals(param1.utf8_to_string(), SavepointName, StringComparison.OrdinalIgnoreCase):
                _refused = $"{param0.utf8_to_string()} {SavepointName}";
                return SqliteDeny;
            default:
                return SqliteOk;
        }
    }

    private void Run(ref SqliteCommand? command, string sql)
    {
        if (command is null)
        {
            command = CreateCommand();
            command.CommandText = sql;
        }

        bool outer = _ownStatement;
        _ownStatement = true;
        try
        {
            command.ExecuteNonQuery();
        }
        finally
        {
            _ownStatement = outer;
        }
    }

    private void RunOwn(string sql)
    {
        SqliteCommand? command = null;
        try
        {
            Run(ref command, sql);
        }
        finally
        {
            command?.Dispose();
        }
    }

    private object? Scalar(string sql)
    {
        using SqliteCommand command = CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
