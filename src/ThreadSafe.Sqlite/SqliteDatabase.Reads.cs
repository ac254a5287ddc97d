using System.Data;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ThreadSafe.Sqlite;

/// <content>Reads: on pooled read-only connections, in parallel with each other and with the writer.</content>
public sealed partial class SqliteDatabase
{
    private const int SqliteReadOnly = 8;

    /// <summary>Runs <paramref name="read"/> on a pooled read-only connection, in parallel with other reads and with the writer.</summary>
    /// <typeparam name="T">The type of the read's result.</typeparam>
    /// <param name="read">
    /// Runs on a thread-pool thread with a read-only connection. Synchronous: an <see langword="async"/> delegate (or one
    /// returning a task) is refused. It must not keep the connection (nor a data reader open on it) after returning.
    /// </param>
    /// <param name="cancellationToken">Stops waiting for a free connection, or removes the read if it has not started; a started read runs to completion.</param>
    /// <returns>
    /// The read's result. It sees every write whose task had completed before the read started. Faults with the read's exception,
    /// with an <see cref="InvalidOperationException"/> if the read tried to write, or with an <see cref="ObjectDisposedException"/>
    /// if the database is shutting down before the read got a connection.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="read"/> is an <see langword="async"/> delegate or returns a task.</exception>
    public Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        DelegateChecks.RefuseAsync(read, typeof(T), nameof(read), "SqliteDatabase.ReadAsync");
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        if (!_gate.TryEnter())
        {
            return Task.FromException<T>(Disposed());
        }

        return ReadEnteredAsync(read, cancellationToken);
    }

    /// <summary>Runs <paramref name="read"/> on a pooled read-only connection on the calling thread, blocking while every read connection is in use.</summary>
    /// <typeparam name="T">The type of the read's result.</typeparam>
    /// <param name="read">Runs on the calling thread with a read-only connection (see <see cref="ReadAsync{T}"/>).</param>
    /// <param name="cancellationToken">Stops waiting for a free connection.</param>
    /// <returns>The read's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="read"/> is an <see langword="async"/> delegate or returns a task.</exception>
    /// <exception cref="ObjectDisposedException">The database is shutting down.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the read got a connection.</exception>
    /// <exception cref="InvalidOperationException">The read tried to write.</exception>
    public T Read<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        DelegateChecks.RefuseAsync(read, typeof(T), nameof(read), "SqliteDatabase.Read");
        cancellationToken.ThrowIfCancellationRequested();
        if (!_gate.TryEnter())
        {
            throw Disposed();
        }

        try
        {
            if (!_readSlots.Wait(0, CancellationToken.None))
            {
                WaitForReadSlot(cancellationToken);
            }

            try
            {
                return RunRead(read);
            }
            finally
            {
                _readSlots.Release();
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    private async Task<T> ReadEnteredAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken)
    {
        try
        {
            if (!_readSlots.Wait(0, CancellationToken.None))
            {
                await WaitForReadSlotAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                // Off the caller's thread: SQLite work is synchronous, and concurrent ReadAsync calls must run in parallel.
                return await Task.Run(() => RunRead(read), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _readSlots.Release();
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void WaitForReadSlot(CancellationToken cancellationToken)
    {
        ThreadSafeMeter.Add(SqliteDatabaseMetrics.ReadPoolWaits, 1, _tag);
        long start = Stopwatch.GetTimestamp();
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        try
        {
            _readSlots.Wait(waiting.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Disposed();
        }

        ThreadSafeMeter.Record(SqliteDatabaseMetrics.ReadPoolWaitDuration, Stopwatch.GetElapsedTime(start).TotalSeconds, _tag);
    }

    private async Task WaitForReadSlotAsync(CancellationToken cancellationToken)
    {
        ThreadSafeMeter.Add(SqliteDatabaseMetrics.ReadPoolWaits, 1, _tag);
        long start = Stopwatch.GetTimestamp();
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
        try
        {
            await _readSlots.WaitAsync(waiting.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Disposed();
        }

        ThreadSafeMeter.Record(SqliteDatabaseMetrics.ReadPoolWaitDuration, Stopwatch.GetElapsedTime(start).TotalSeconds, _tag);
    }

    private T RunRead<T>(Func<SqliteConnection, T> read)
    {
        using PoolLease<SqliteConnection> lease = _readPool.Rent();
        try
        {
            return read(lease.Value);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteReadOnly)
        {
            throw new InvalidOperationException(
                $"A read tried to write: {ex.Message} Reads of {this} run on read-only connections; submit writes with WriteAsync, Write or Post.",
                ex);
        }
    }

    private SqliteConnection OpenReadConnection()
    {
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            connection.Open();
            using SqliteCommand pragmas = connection.CreateCommand();
            pragmas.CommandText = _readPragmas;
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new IOException($"A read connection to the SQLite database '{Path}' could not be opened: {ex.Message}", ex);
        }
    }

    // Called when a read returns its connection: keep it only if the read left it open and idle. A transaction the read
    // left open, or a data reader it did not dispose, would pin an old snapshot, and later reads would miss newer writes.
    private static bool IsReusable(SqliteConnection connection)
    {
        if (connection.State != ConnectionState.Open || raw.sqlite3_get_autocommit(connection.Handle) == 0)
        {
            return false;
        }

        for (sqlite3_stmt? statement = raw.sqlite3_next_stmt(connection.Handle, null); statement is not null; statement = raw.sqlite3_next_stmt(connection.Handle, statement))
        {
            if (raw.sqlite3_stmt_busy(statement) != 0)
            {
                return false;
            }
        }

        return true;
    }
}
