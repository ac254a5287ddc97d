using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.ObjectPool;

namespace ThreadSafe.Sqlite;

/// <summary>
/// A SQLite database shared by many threads: one writer thread owns the write connection and commits queued writes in
/// groups, reads run in parallel on pooled read-only connections, and no acknowledged write is ever lost.
/// </summary>
/// <remarks>
/// <para>
/// This is the pattern of Datasette's write thread as a package. The database runs in WAL mode, so readers never block
/// the writer and the writer never blocks readers. All writes go through one <see cref="SingleWriter{TResource}"/> that
/// owns the write connection: they never contend for SQLite's write lock, so they never see SQLITE_BUSY ("database is
/// locked").
/// </para>
/// <para>
/// Writes: <see cref="WriteAsync{T}"/>, <see cref="Write{T}"/> and <see cref="Post"/> queue a synchronous delegate that runs
/// on the writer thread with the write connection. Queued writes run in batches: one transaction begun with
/// <c>BEGIN IMMEDIATE</c> per batch, one savepoint per write. A write that throws is rolled back alone and fails only its
/// own caller; the other writes of its batch commit. A write's task completes only after its batch's <c>COMMIT</c>
/// succeeded, so an acknowledged write is durable (see <see cref="SqliteSynchronousMode"/>) and visible to every read
/// that starts afterwards. A write must not begin, commit or roll back a transaction: that is refused with an
/// <see cref="InvalidOperationException"/> that says so. A write submitted from inside a write runs inline, in a nested
/// savepoint of its own.
/// </para>
/// <para>
/// Reads: <see cref="ReadAsync{T}"/> and <see cref="Read{T}"/> run a synchronous delegate on one of at most
/// <see cref="ReadConnections"/> read-only connections, in parallel with each other and with the writer. A read that
/// tries to write fails with an <see cref="InvalidOperationException"/>.
/// </para>
/// <para>
/// Shutdown: <see cref="CompleteAsync"/> (or <see langword="await using"/>) refuses new calls, lets running reads finish,
/// runs and commits every accepted write, checkpoints the WAL into the database file and closes every connection. Calls
/// made after it started throw (or return a task faulted with) <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed partial class SqliteDatabase : IAsyncDisposable
{
    private readonly SingleWriter<SqliteConnection> _writer;
    private readonly ObjectPool<SqliteConnection> _readPool;
    private readonly string _readConnectionString;
    private readonly string _readPragmas;
    private readonly KeyValuePair<string, object?> _tag;

    // Limits open read connections to ReadConnections; a read holds one permit while it runs.
    private readonly SemaphoreSlim _readSlots;

    // Every public call enters this gate while it uses the database (a read while it runs, a write while it is being
    // queued). Shutdown closes it and waits until it is empty before closing connections.
    private readonly CallGate _gate = new();

    // Cancelled when shutdown starts: reads still waiting for a read connection stop waiting and fail as disposed.
    private readonly CancellationTokenSource _closing = new();

    // The shutdown, once started (set once, by compare-exchange, so it starts exactly once).
    private Task? _shutdown;

    private SqliteDatabase(string path, string name, SqliteDatabaseOptions options, WriteConnection writeConnection, string readConnectionString, string readPragmas)
    {
        Path = path;
        Name = name;
        ReadConnections = options.ReadConnections;
        Synchronous = options.Synchronous;
        MaxCommitDelay = options.MaxCommitDelay;
        _tag = SqliteDatabaseMetrics.Tag(name);
        _readConnectionString = readConnectionString;
        _readPragmas = readPragmas;
        _readSlots = new SemaphoreSlim(options.ReadConnections, options.ReadConnections);
        _readPool = new DisposablePooledObjectPolicy<SqliteConnection>(OpenReadConnection, IsReusable).CreatePool(options.ReadConnections);
        _writer = new SingleWriter<SqliteConnection>(
            () => writeConnection,
            new SingleWriterOptions<SqliteConnection>
            {
                Name = name,
                Capacity = options.Capacity,
                MaxBatchSize = options.MaxBatchSize,
                MaxCommitDelay = options.MaxCommitDelay,
                BeginBatch = static c => ((WriteConnection)c).BeginBatch(),
                BeginWrite = static c => ((WriteConnection)c).BeginWrite(),
                EndWrite = static c => ((WriteConnection)c).EndWrite(),
                RollbackWrite = static c => ((WriteConnection)c).RollbackWrite(),
                CommitBatch = static c => ((WriteConnection)c).CommitBatch(),
                RollbackBatch = static c => ((WriteConnection)c).RollbackBatch(),
                OnError = options.OnError,
            });
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Gets the name used for the writer thread, in messages and as the <c>threadsafe.name</c> metric tag.</summary>
    public string Name { get; }

    /// <summary>Gets the largest number of read-only connections open at once (reads beyond that wait for one).</summary>
    public int ReadConnections { get; }

    /// <summary>Gets how long the writer may hold back a batch that is not full while other submitters are active (see <see cref="SqliteDatabaseOptions.MaxCommitDelay"/>).</summary>
    public TimeSpan MaxCommitDelay { get; }

    /// <summary>Gets the durability of an acknowledged write.</summary>
    public SqliteSynchronousMode Synchronous { get; }

    /// <summary>
    /// Opens (creating it if needed) the database file at <paramref name="path"/> in WAL mode with one write connection
    /// owned by a writer thread, and prepares a pool of read-only connections.
    /// </summary>
    /// <param name="path">The database file. Relative paths are resolved against the current directory. In-memory databases are refused: the read connections could not see the writer's data.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults (synchronous FULL, foreign keys on, busy timeout 5 s, one read connection per processor, batches of up to 256 writes).</param>
    /// <returns>The open database. Dispose it (<see cref="DisposeAsync"/> or <see cref="CompleteAsync"/>) to commit, checkpoint and close.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, white space, or names an in-memory database.</exception>
    /// <exception cref="IOException">The file cannot be created or opened for writing, or cannot be switched to WAL mode (inner exception: SQLite's error). Nothing is left open.</exception>
    public static SqliteDatabase Open(string path, SqliteDatabaseOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string trimmed = path.Trim();
        if (trimmed == ":memory:" || trimmed.Contains("mode=memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"'{path}' is an in-memory database. SqliteDatabase reads on separate connections, which cannot see an in-memory database of the write connection; use a file.",
                nameof(path));
        }

        options ??= new SqliteDatabaseOptions();
        string fullPath = System.IO.Path.GetFullPath(path);
        string name = options.Name ?? System.IO.Path.GetFileName(fullPath);
        int busyMilliseconds = (int)options.BusyTimeout.TotalMilliseconds;

        // Pooling=False: this class pools its own connections, and closing must really close (for the checkpoint).
        // Default Timeout bounds Microsoft.Data.Sqlite's own retry loop on SQLITE_BUSY (0 would mean forever).
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        };
        string writeConnectionString = builder.ToString();
        builder.Mode = SqliteOpenMode.ReadOnly;
        string readConnectionString = builder.ToString();
        string synchronous = options.Synchronous == SqliteSynchronousMode.Full ? "FULL" : "NORMAL";
        string writePragmas = $"PRAGMA synchronous={synchronous}; PRAGMA busy_timeout={busyMilliseconds}; PRAGMA foreign_keys={(options.ForeignKeys ? "ON" : "OFF")};";
        string readPragmas = $"PRAGMA busy_timeout={busyMilliseconds};";

        var connection = new WriteConnection(writeConnectionString, name, writePragmas);
        try
        {
            connection.OpenConfigured();
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection.Dispose();
            throw new IOException($"The SQLite database '{fullPath}' could not be opened for writing: {ex.Message}", ex);
        }

        return new SqliteDatabase(fullPath, name, options, connection, readConnectionString, readPragmas);
    }

    /// <summary>
    /// Starts the shutdown (once; later calls join it) and waits for it: new calls are refused with
    /// <see cref="ObjectDisposedException"/>, reads still waiting for a connection fail with it, running reads finish, every
    /// accepted write runs and commits, the WAL is checkpointed into the database file and every connection is closed.
    /// </summary>
    /// <param name="cancellationToken">Stops the waiting, not the shutdown: the returned task is cancelled, the shutdown goes on.</param>
    /// <returns>A task that completes when every connection is closed. It faults if the final checkpoint or a close failed (every acknowledged write was committed before).</returns>
    /// <remarks>Do not block on this task from inside a write or a read: the shutdown waits for them.</remarks>
    public Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        Task shutdown = Volatile.Read(ref _shutdown) ?? StartShutdown();
        return shutdown.WaitAsync(cancellationToken);
    }

    /// <summary>Same as <see cref="CompleteAsync"/> without a token.</summary>
    /// <returns>A task that completes when every connection is closed.</returns>
    public ValueTask DisposeAsync() => new(CompleteAsync(CancellationToken.None));

    /// <inheritdoc/>
    public override string ToString() => $"SqliteDatabase '{Name}' ({Path})";

    private Task StartShutdown()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task? existing = Interlocked.CompareExchange(ref _shutdown, done.Task, null);
        if (existing is not null)
        {
            return existing;
        }

        _ = ShutdownAsync(done);
        return done.Task;
    }

    private async Task ShutdownAsync(TaskCompletionSource done)
    {
        try
        {
            Task drained = _gate.Close();
            await _closing.CancelAsync().ConfigureAwait(false);
            await drained.ConfigureAwait(false);

            // No read runs any more, so every read connection is idle in the pool: disposing the pool closes them, and the
            // writer's final checkpoint (when it closes its connection) is not held back by a reader.
            ((IDisposable)_readPool).Dispose();
            await _writer.CompleteAsync().ConfigureAwait(false);
            done.TrySetResult();
        }
        catch (Exception ex)
        {
            done.TrySetException(ex);
        }
    }

    private ObjectDisposedException Disposed() =>
        new(ToString(), $"{this} was completed or disposed (CompleteAsync or DisposeAsync); it accepts no more reads or writes.");
}
