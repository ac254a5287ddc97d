namespace ThreadSafe.Sqlite;

/// <summary>Settings of a <see cref="SqliteDatabase"/>: durability, group commit, read pool and error reporting.</summary>
/// <remarks>The database copies these values when it is opened; changing the options object afterwards has no effect on it.</remarks>
public sealed class SqliteDatabaseOptions
{
    private int _readConnections = Environment.ProcessorCount;
    private int _maxBatchSize = 256;
    private int _capacity = 1024;
    private TimeSpan _busyTimeout = TimeSpan.FromSeconds(5);
    private TimeSpan _maxCommitDelay = TimeSpan.Zero;
    private SqliteSynchronousMode _synchronous = SqliteSynchronousMode.Full;

    /// <summary>
    /// Gets or sets the name used for the writer thread, in exception messages and as the <c>threadsafe.name</c> tag of the
    /// metrics. Defaults to the database's file name.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets how many read-only connections may be open at once, so how many reads run in parallel. Defaults to <see cref="Environment.ProcessorCount"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int ReadConnections
    {
        get => _readConnections;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _readConnections = value;
        }
    }

    /// <summary>Gets or sets the durability of an acknowledged write (<c>PRAGMA synchronous</c>). Defaults to <see cref="SqliteSynchronousMode.Full"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="SqliteSynchronousMode"/>.</exception>
    public SqliteSynchronousMode Synchronous
    {
        get => _synchronous;
        set
        {
            if (value is not (SqliteSynchronousMode.Normal or SqliteSynchronousMode.Full))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Synchronous must be SqliteSynchronousMode.Normal or SqliteSynchronousMode.Full.");
            }

            _synchronous = value;
        }
    }

    /// <summary>
    /// Gets or sets how long a connection waits for a lock held by another connection (<c>PRAGMA busy_timeout</c>) before it
    /// fails with SQLITE_BUSY. Within one <see cref="SqliteDatabase"/> the writer never waits for a lock of its own; this
    /// matters when other processes use the same file, and for checkpoints. Defaults to 5 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    public TimeSpan BusyTimeout
    {
        get => _busyTimeout;
        set => _busyTimeout = Milliseconds(value, nameof(BusyTimeout));
    }

    /// <summary>Gets or sets a value indicating whether foreign key constraints are enforced (<c>PRAGMA foreign_keys</c>) on every connection. Defaults to <see langword="true"/>.</summary>
    public bool ForeignKeys { get; set; } = true;

    /// <summary>
    /// Gets or sets the largest number of queued writes committed in one transaction (group commit). Defaults to 256. A
    /// batch takes what is queued when the writer becomes free; it never waits to fill up.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxBatchSize
    {
        get => _maxBatchSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxBatchSize = value;
        }
    }

    /// <summary>
    /// Gets or sets how long the writer may hold back a batch that is not full, waiting for more writes to join it before
    /// it begins and commits the batch. Defaults to <see cref="TimeSpan.Zero"/> (off).
    /// </summary>
    /// <remarks>
    /// Like PostgreSQL's <c>commit_delay</c> with <c>commit_siblings</c>: the writer waits only while other submitters are
    /// active (the batch, or the one just before, held more than one write), so a lone caller is never delayed, and the
    /// wait ends early when the batch fills up (<see cref="MaxBatchSize"/>) or the database is completed. It helps when
    /// many callers each await their own write and a commit costs a disk flush (<see cref="SqliteSynchronousMode.Full"/>):
    /// a delay of about one commit's duration (a few milliseconds) lets the callers acknowledged by one commit put their
    /// next writes into the next batch. It costs each write up to the delay in latency. See
    /// <see cref="SingleWriterOptions{TResource}.MaxCommitDelay"/>.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    public TimeSpan MaxCommitDelay
    {
        get => _maxCommitDelay;
        set => _maxCommitDelay = Milliseconds(value, nameof(MaxCommitDelay));
    }

    /// <summary>Gets or sets how many accepted writes may wait in the queue before submitters wait (back pressure). Defaults to 1024.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Capacity
    {
        get => _capacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _capacity = value;
        }
    }

    /// <summary>
    /// Gets or sets the handler for errors no caller can observe: the failure of a <see cref="SqliteDatabase.Post"/> write
    /// (its own exception or its batch's commit error) and a failed rollback. It runs on the writer thread. When it is
    /// <see langword="null"/>, or throws, the error is written to <see cref="System.Diagnostics.Trace"/>.
    /// </summary>
    public Action<Exception>? OnError { get; set; }

    // BusyTimeout and MaxCommitDelay: from zero to int.MaxValue milliseconds (PRAGMA busy_timeout and timed waits take an int).
    private static TimeSpan Milliseconds(TimeSpan value, string property) =>
        value < TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue
            ? throw new ArgumentOutOfRangeException(nameof(value), value, $"{property} must be between zero and int.MaxValue milliseconds.")
            : value;
}
