namespace ThreadSafe;

/// <summary>Settings of a <see cref="SingleWriter{TResource}"/>: name, queue capacity, group commit and error reporting.</summary>
/// <typeparam name="TResource">The type of the resource the writer thread owns (for example a database connection).</typeparam>
/// <remarks>
/// <para>
/// The writer copies these values when it is created; changing the options object afterwards has no effect on it.
/// </para>
/// <para>
/// Group commit: the writer takes up to <see cref="MaxBatchSize"/> queued writes at a time and runs them as one
/// batch on its thread. The hooks let the resource wrap a batch in one transaction and each write in its own
/// savepoint. For SQLite: <see cref="BeginBatch"/> runs <c>BEGIN IMMEDIATE</c>, <see cref="BeginWrite"/> runs
/// <c>SAVEPOINT w</c>, <see cref="EndWrite"/> runs <c>RELEASE w</c>, <see cref="RollbackWrite"/> runs
/// <c>ROLLBACK TO w; RELEASE w</c>, <see cref="CommitBatch"/> runs <c>COMMIT</c> and <see cref="RollbackBatch"/>
/// runs <c>ROLLBACK</c>. A caller's task completes only after <see cref="CommitBatch"/> has returned.
/// </para>
/// <para>
/// Every hook runs on the writer thread, between writes, with no lock of the writer held. If a hook throws
/// (other than <see cref="RollbackBatch"/>), the batch is abandoned: <see cref="RollbackBatch"/> runs if
/// <see cref="BeginBatch"/> had succeeded, and every write of the batch fails with the hook's exception,
/// including writes that had already run (nothing of the batch was committed). A write whose token is cancelled before it
/// starts is left out of its batch; a batch whose writes were all cancelled runs no hook.
/// </para>
/// </remarks>
public sealed class SingleWriterOptions<TResource>
{
    private int _capacity = 1024;
    private int _maxBatchSize = 1;
    private TimeSpan _processExitTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _maxCommitDelay = TimeSpan.Zero;

    /// <summary>Gets or sets the name of the writer thread, also used in exception messages and metric tags. Defaults to <c>SingleWriter&lt;TResource&gt;</c>.</summary>
    public string? Name { get; set; }

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

    /// <summary>Gets or sets the largest number of queued writes run as one batch. Defaults to 1 (no batching).</summary>
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
    /// Gets or sets how long the writer may hold back the commit of a batch that is not full, waiting for more writes
    /// to join it (group commit for callers that each await their own write). Defaults to <see cref="TimeSpan.Zero"/> (off).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Like PostgreSQL's <c>commit_delay</c> with <c>commit_siblings</c>: the writer delays only while other submitters
    /// are active, that is when the batch it took, or the batch it acknowledged just before (within the last
    /// <see cref="MaxCommitDelay"/>), held more than one write. A lone writer that awaits each write is never delayed.
    /// The delay ends early when enough writes arrived to fill the batch (<see cref="MaxBatchSize"/>) or when the writer
    /// is completed. Writes that arrive during the delay join the batch; every caller is still acknowledged only after
    /// the batch committed. It has no effect when <see cref="MaxBatchSize"/> is 1.
    /// </para>
    /// <para>
    /// Worth setting when one commit costs much more than one write (a disk flush) and many callers each await their
    /// own write: a delay of about one commit's duration lets the callers acknowledged by one commit submit their next
    /// writes into the next batch, instead of each commit carrying only the few writes that happened to be waiting.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    public TimeSpan MaxCommitDelay
    {
        get => _maxCommitDelay;
        set
        {
            Timeouts.ThrowIfNotFinite(value, nameof(MaxCommitDelay));
            _maxCommitDelay = value;
        }
    }

    /// <summary>Gets or sets the hook run before the first write of a batch (for example <c>BEGIN IMMEDIATE</c>).</summary>
    public Action<TResource>? BeginBatch { get; set; }

    /// <summary>Gets or sets the hook run before each write of a batch (for example <c>SAVEPOINT w</c>).</summary>
    public Action<TResource>? BeginWrite { get; set; }

    /// <summary>Gets or sets the hook run after a write that returned normally (for example <c>RELEASE w</c>).</summary>
    public Action<TResource>? EndWrite { get; set; }

    /// <summary>Gets or sets the hook run after a write that threw, to undo it alone (for example <c>ROLLBACK TO w; RELEASE w</c>).</summary>
    public Action<TResource>? RollbackWrite { get; set; }

    /// <summary>Gets or sets the hook that makes the batch durable (for example <c>COMMIT</c>). Callers are acknowledged only after it returns.</summary>
    public Action<TResource>? CommitBatch { get; set; }

    /// <summary>Gets or sets the hook run when a batch is abandoned after <see cref="BeginBatch"/> succeeded (for example <c>ROLLBACK</c>). Its own exception goes to <see cref="OnError"/>.</summary>
    public Action<TResource>? RollbackBatch { get; set; }

    /// <summary>
    /// Gets or sets the handler for errors no caller can observe: the failure of a <see cref="SingleWriter{TResource}.Post"/>
    /// write (its own exception, its batch's commit or hook exception, or the wrapper of an <c>open</c> error if it was
    /// accepted before <c>open</c> failed) and exceptions of <see cref="RollbackBatch"/>. It runs on the writer thread with no
    /// lock held. When it is <see langword="null"/>, or when it throws, the error is written to <see cref="System.Diagnostics.Trace"/>.
    /// </summary>
    public Action<Exception>? OnError { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the writer loop runs as a <see cref="Task.Run(Action)"/> task instead of on
    /// a dedicated named <see cref="Thread"/>. For systematic testing only: Microsoft.Coyote controls <c>Task.Run</c> but not
    /// threads created with <c>new Thread</c>, so its tests run the very same loop this way.
    /// </summary>
    internal bool RunWriterLoopAsTask { get; set; }

    /// <summary>
    /// Gets or sets how long the process-exit handler waits for the writer to run the writes it has accepted. Defaults to 10 seconds.
    /// Writes still unacknowledged after that are reported on standard error (see the remarks of <see cref="SingleWriter{TResource}"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    public TimeSpan ProcessExitTimeout
    {
        get => _processExitTimeout;
        set
        {
            Timeouts.ThrowIfNotFinite(value);
            _processExitTimeout = value;
        }
    }
}
