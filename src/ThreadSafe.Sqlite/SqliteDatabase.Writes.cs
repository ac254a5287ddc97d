using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace ThreadSafe.Sqlite;

/// <content>Writes: queued to the writer thread, run in a savepoint of a batch transaction, acknowledged after COMMIT.</content>
public sealed partial class SqliteDatabase
{
    /// <summary>Queues <paramref name="write"/> and returns a task that completes with its result once its batch committed.</summary>
    /// <typeparam name="T">The type of the write's result.</typeparam>
    /// <param name="write">
    /// Runs on the writer thread with the write connection, inside a savepoint of the batch's transaction. Synchronous: an
    /// <see langword="async"/> delegate (or one returning a task) is refused. It must not keep the connection, and must not
    /// begin, commit or roll back a transaction.
    /// </param>
    /// <param name="cancellationToken">Removes the write if it has not started (its task is cancelled and it never runs); a started write runs to completion.</param>
    /// <returns>
    /// The write's result, once the batch's <c>COMMIT</c> succeeded. Faults with the write's exception (its changes rolled back,
    /// the other writes of the batch unaffected), with the batch's <c>COMMIT</c> error, with an <see cref="InvalidOperationException"/>
    /// if the write tried to control the transaction, or with an <see cref="ObjectDisposedException"/> if the database is shutting down.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="write"/> is an <see langword="async"/> delegate or returns a task.</exception>
    /// <remarks>Called from inside a write, it runs inline, at once, in a nested savepoint (if it throws, only its own changes are undone); its task then completes before the enclosing batch commits.</remarks>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, T> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        DelegateChecks.RefuseAsync(write, typeof(T), nameof(write), "SqliteDatabase.WriteAsync");
        return Submit(write, cancellationToken);
    }

    /// <summary>Queues <paramref name="write"/> and returns a task that completes once its batch committed.</summary>
    /// <param name="write">Runs on the writer thread with the write connection, inside a savepoint of the batch's transaction. Synchronous: an <see langword="async"/> lambda is refused.</param>
    /// <param name="cancellationToken">Removes the write if it has not started; a started write runs to completion.</param>
    /// <returns>A task that completes after the batch's <c>COMMIT</c>, or faults as described for <see cref="WriteAsync{T}"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="write"/> is an <see langword="async"/> lambda or method.</exception>
    public Task WriteAsync(Action<SqliteConnection> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        DelegateChecks.RefuseAsync(write, typeof(void), nameof(write), "SqliteDatabase.WriteAsync");
        return Submit(AsFunc(write), cancellationToken);
    }

    /// <summary>Queues <paramref name="write"/>, blocks until its batch committed, and returns its result.</summary>
    /// <typeparam name="T">The type of the write's result.</typeparam>
    /// <param name="write">Runs on the writer thread with the write connection (see <see cref="WriteAsync{T}"/>).</param>
    /// <param name="cancellationToken">Removes the write if it has not started.</param>
    /// <returns>The write's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="write"/> is an <see langword="async"/> delegate or returns a task.</exception>
    /// <exception cref="ObjectDisposedException">The database is shutting down.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the write started.</exception>
    /// <remarks>Any exception of the write or of its batch's <c>COMMIT</c> is rethrown. Called from inside a write, it runs inline.</remarks>
    public T Write<T>(Func<SqliteConnection, T> write, CancellationToken cancellationToken = default) =>
        WriteAsync(write, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Queues <paramref name="write"/> and blocks until its batch committed.</summary>
    /// <param name="write">Runs on the writer thread with the write connection (see <see cref="WriteAsync(Action{SqliteConnection}, CancellationToken)"/>).</param>
    /// <param name="cancellationToken">Removes the write if it has not started.</param>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="write"/> is an <see langword="async"/> lambda or method.</exception>
    /// <exception cref="ObjectDisposedException">The database is shutting down.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the write started.</exception>
    public void Write(Action<SqliteConnection> write, CancellationToken cancellationToken = default) =>
        WriteAsync(write, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Queues <paramref name="write"/> without waiting for it (fire and forget); blocks only while the queue is full.</summary>
    /// <param name="write">Runs on the writer thread with the write connection (see <see cref="WriteAsync(Action{SqliteConnection}, CancellationToken)"/>).
    /// Its exception, or its batch's <c>COMMIT</c> error, goes to <see cref="SqliteDatabaseOptions.OnError"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="write"/> is an <see langword="async"/> lambda or method.</exception>
    /// <exception cref="ObjectDisposedException">The database is shutting down.</exception>
    /// <remarks>Called from inside a write, it runs inline, at once, in a nested savepoint; its error goes to <see cref="SqliteDatabaseOptions.OnError"/>.</remarks>
    public void Post(Action<SqliteConnection> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        DelegateChecks.RefuseAsync(write, typeof(void), nameof(write), "SqliteDatabase.Post");
        if (_writer.IsWriterThread)
        {
            _writer.Post(c => ((WriteConnection)c).RunInlineWrite(AsFunc(write)));
            return;
        }

        if (!_gate.TryEnter())
        {
            throw Disposed();
        }

        try
        {
            var queued = new QueuedWrite<bool>(this, AsFunc(write));
            try
            {
                _writer.Post(c => queued.Run(c));
            }
            catch
            {
                queued.LeftQueue();
                throw;
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    private static Func<SqliteConnection, bool> AsFunc(Action<SqliteConnection> write) =>
        c =>
        {
            write(c);
            return true;
        };

    private Task<T> Submit<T>(Func<SqliteConnection, T> write, CancellationToken cancellationToken)
    {
        if (_writer.IsWriterThread)
        {
            return _writer.ExecuteAsync(c => ((WriteConnection)c).RunInlineWrite(write), cancellationToken);
        }

        if (!_gate.TryEnter())
        {
            return Task.FromException<T>(Disposed());
        }

        try
        {
            var queued = new QueuedWrite<T>(this, write);
            Task<T> task = _writer.ExecuteAsync(queued.Run, cancellationToken);
            if (task.IsCompleted)
            {
                queued.LeftQueue(); // rejected or cancelled at once (if it already ran, it left the queue when it started)
            }
            else if (cancellationToken.CanBeCanceled)
            {
                _ = task.ContinueWith(static (_, state) => ((QueuedWrite<T>)state!).LeftQueue(), queued, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            return task;
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>A queued write: counts in the queue-length metric from acceptance until it starts or its task ends unstarted.</summary>
    private sealed class QueuedWrite<T>
    {
        private readonly SqliteDatabase _database;
        private readonly Func<SqliteConnection, T> _write;

        // 1 while the write counts as queued. Exchanged to 0 exactly once (by its start, or by the end of a write that never
        // started), so the counter goes down once per accepted write; the exchange is atomic, no other ordering is needed.
        private int _queued = 1;

        public QueuedWrite(SqliteDatabase database, Func<SqliteConnection, T> write)
        {
            _database = database;
            _write = write;
            ThreadSafeMeter.Add(SqliteDatabaseMetrics.QueueLength, 1, database._tag);
        }

        public T Run(SqliteConnection connection)
        {
            LeftQueue();
            return ((WriteConnection)connection).RunUserWrite(_write);
        }

        public void LeftQueue()
        {
            if (Interlocked.Exchange(ref _queued, 0) == 1)
            {
                ThreadSafeMeter.Add(SqliteDatabaseMetrics.QueueLength, -1, _database._tag);
            }
        }
    }
}
