using System.Diagnostics;

namespace ThreadSafe;

/// <summary>
/// One dedicated thread owns a resource that allows a single writer (a database connection, a file, a device);
/// callers on any thread submit write functions to its bounded queue and await their results.
/// </summary>
/// <typeparam name="TResource">The type of the resource the writer thread opens, uses and disposes.</typeparam>
/// <remarks>
/// <para>
/// The pattern comes from Datasette's write thread: SQLite allows one writer at a time, so one thread owns the
/// write connection while reads run in parallel on other connections. The resource is created by the
/// <c>open</c> function on the writer thread, used only there, and disposed there by <see cref="CompleteAsync"/>.
/// </para>
/// <para>
/// Writes run one at a time, in the order they were submitted (so each submitter's writes keep their order). A write
/// that throws fails only its own caller.
/// </para>
/// <para>
/// Back pressure: at most <see cref="Capacity"/> writes are admitted to the queue. Beyond that, a write waits for room in
/// an overflow line, in order, so a later write never overtakes an earlier one: <see cref="ExecuteAsync{TResult}"/> waits
/// asynchronously (its task covers the wait and its token removes it), <see cref="Execute{TResult}"/> and
/// <see cref="Post"/> block their caller.
/// </para>
/// <para>
/// Group commit: with <see cref="SingleWriterOptions{TResource}.MaxBatchSize"/> above 1, consecutive
/// queued writes form a batch that the options' hooks wrap in one transaction (group commit); a caller's task
/// completes only after its batch committed. Calls made on the writer thread (from inside a write) run inline, as part of
/// the enclosing write, instead of deadlocking.
/// </para>
/// <para>
/// If <c>open</c> throws, the thread ends and every queued and later call fails with an
/// <see cref="InvalidOperationException"/> whose inner exception is the original error; <see cref="Completion"/> then
/// completes normally, as there is no resource to close.
/// </para>
/// <para>
/// Process exit: the writer thread is a background thread, so a writer that was never completed does not keep the
/// process alive. Instead, on <see cref="AppDomain.ProcessExit"/> the writer stops accepting writes and waits up to
/// <see cref="SingleWriterOptions{TResource}.ProcessExitTimeout"/> for every accepted write to run and commit. Writes
/// are acknowledged only after they committed, so no acknowledged write is ever lost; if the wait times out, the
/// number of accepted writes that were not acknowledged is written to standard error, so none disappears silently.
/// </para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed partial class SingleWriter<TResource> : IAsyncDisposable
{
    // The writer this thread runs, if any: set by the writer thread for its whole life. Thread-static, so it is
    // immune to thread-id reuse and needs no synchronization.
    [ThreadStatic]
    private static SingleWriter<TResource>? t_current;

    // Guards _queue, _overflow, _admitted, _completing, _openError, _openFailed, _writerWaiting, _inFlight and each
    // item's Queued, Admitted and AdmittedEvent. Private, so no outside code can lock on it.
    // The writer thread waits on it (Monitor.Wait) while the queue is empty. No user delegate runs and no task is
    // completed while it is held.
    private readonly object _gate = new();

    // Guarded by _gate. Admitted writes in submission order: the bounded queue the writer takes batches from. Items
    // cancelled after admission stay until the writer skips them, but no longer count in _admitted.
    private readonly Queue<WorkItem> _queue = new();

    // Guarded by _gate. Accepted writes waiting for room in _queue, in submission order. Back pressure without
    // reordering: a new write goes here whenever this is not empty, so it never overtakes an earlier one.
    // Invariant (whenever _gate is free): _overflow holds a live item only if _admitted == Capacity.
    private readonly Queue<WorkItem> _overflow = new();

    private readonly Func<TResource> _open;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxCommitDelay;
    private readonly Action<TResource>? _beginBatch, _beginWrite, _endWrite, _rollbackWrite, _commitBatch, _rollbackBatch;
    private readonly Action<Exception>? _onError;
    private readonly TimeSpan _processExitTimeout;
    private readonly EventHandler _onProcessExit;
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _gate. True once CompleteAsync (or process exit) has been called: no new write is accepted.
    private bool _completing;

    // Guarded by _gate. Set once if open threw (_openFailed) or the loop hit a defect; every later call fails with a wrapper of it.
    private Exception? _openError;
    private bool _openFailed;

    // Guarded by _gate. True while the writer thread waits in Monitor.Wait, so submitters pulse only then.
    private bool _writerWaiting;

    // Guarded by _gate. Set while the writer holds back a batch's commit (MaxCommitDelay): completed, after leaving
    // _gate, by whoever admits the write that fills the batch (_commitDelayRoom reaches 0) or by CompleteAsync.
    private TaskCompletionSource? _commitDelayEnd;
    private int _commitDelayRoom;

    // Guarded by _gate. Unclaimed items in _queue; never more than Capacity.
    private int _admitted;

    // Guarded by _gate. Writes taken from the queue whose callers are not yet acknowledged (for the exit report).
    private int _inFlight;

    // Written and read only by the writer thread.
    private TResource _resource = default!;
    private bool _opened;

    // Written and read only by the writer thread: the size of the last batch and when it was acknowledged, to tell
    // whether other submitters are active (commit delay).
    private int _previousBatchSize;
    private long _previousBatchDoneAt;

    /// <summary>Starts the writer thread, which runs <paramref name="open"/> to create the resource and then serves the queue.</summary>
    /// <param name="open">Creates the resource. Runs on the writer thread. If it throws, every call fails with an
    /// <see cref="InvalidOperationException"/> whose inner exception is the original error.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults (capacity 1024, no batching).</param>
    /// <exception cref="ArgumentNullException"><paramref name="open"/> is <see langword="null"/>.</exception>
    public SingleWriter(Func<TResource> open, SingleWriterOptions<TResource>? options = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        options ??= new SingleWriterOptions<TResource>();
        _open = open;
        Name = options.Name ?? $"SingleWriter<{typeof(TResource).Name}>";
        Capacity = options.Capacity;
        _maxBatchSize = options.MaxBatchSize;
        _maxCommitDelay = options.MaxCommitDelay;
        _beginBatch = options.BeginBatch;
        _beginWrite = options.BeginWrite;
        _endWrite = options.EndWrite;
        _rollbackWrite = options.RollbackWrite;
        _commitBatch = options.CommitBatch;
        _rollbackBatch = options.RollbackBatch;
        _onError = options.OnError;
        _processExitTimeout = options.ProcessExitTimeout;
        _onProcessExit = OnProcessExit;
        AppDomain.CurrentDomain.ProcessExit += _onProcessExit;

        if (options.RunWriterLoopAsTask)
        {
            _ = Task.Run(WriterLoop);
        }
        else
        {
            var thread = new Thread(WriterLoop) { Name = Name, IsBackground = true };
            thread.Start();
        }
    }

    /// <summary>Gets the name of the writer thread, used in exception messages and metric tags.</summary>
    public string Name { get; }

    /// <summary>Gets how many accepted writes may wait in the queue before submitters wait.</summary>
    public int Capacity { get; }

    /// <summary>Gets a value indicating whether the calling thread is this writer's thread (inside a write or a hook).</summary>
    public bool IsWriterThread => ReferenceEquals(t_current, this);

    /// <summary>Gets a task that completes when the writer thread has ended (after <see cref="CompleteAsync"/>, or after <c>open</c> failed).</summary>
    public Task Completion => _completed.Task;

    /// <summary>Queues <paramref name="write"/> and returns a task that completes with its result once it ran and its batch committed.</summary>
    /// <typeparam name="TResult">The type of the write's result.</typeparam>
    /// <param name="write">Runs on the writer thread with the resource. It must not keep a reference to the resource.</param>
    /// <param name="cancellationToken">Removes the write if it has not started (its task is cancelled and it never runs); a started write runs to completion.</param>
    /// <returns>The write's result. Faults with the write's exception, the batch's commit exception, or an
    /// <see cref="InvalidOperationException"/> if the writer is completing or could not open its resource.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <remarks>Called on the writer thread (from inside a write), the write runs inline, as part of the enclosing write.</remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Func and Action overloads with an optional token, mirroring Task.Run; the delegate type decides the overload.")]
    public Task<TResult> ExecuteAsync<TResult>(Func<TResource, TResult> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        if (IsWriterThread)
        {
            try
            {
                return Task.FromResult(write(InlineResource()));
            }
            catch (Exception ex)
            {
                return Task.FromException<TResult>(ex);
            }
        }

        return Enqueue(new FuncItem<TResult>(this, write), cancellationToken);
    }

    /// <summary>Queues <paramref name="write"/> and returns a task that completes once it ran and its batch committed.</summary>
    /// <param name="write">Runs on the writer thread with the resource. It must not keep a reference to the resource.</param>
    /// <param name="cancellationToken">Removes the write if it has not started (its task is cancelled and it never runs); a started write runs to completion.</param>
    /// <returns>A task that faults with the write's exception, the batch's commit exception, or an
    /// <see cref="InvalidOperationException"/> if the writer is completing or could not open its resource.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <remarks>Called on the writer thread (from inside a write), the write runs inline, as part of the enclosing write.</remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Func and Action overloads with an optional token, mirroring Task.Run; the delegate type decides the overload.")]
    public Task ExecuteAsync(Action<TResource> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return ExecuteAsync(
            r =>
            {
                write(r);
                return true;
            },
            cancellationToken);
    }

    /// <summary>Queues <paramref name="write"/>, blocks until it ran and its batch committed, and returns its result.</summary>
    /// <typeparam name="TResult">The type of the write's result.</typeparam>
    /// <param name="write">Runs on the writer thread with the resource. It must not keep a reference to the resource.</param>
    /// <param name="cancellationToken">Removes the write if it has not started (its task is cancelled and it never runs).</param>
    /// <returns>The write's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The writer is completing, or could not open its resource (inner exception: the original error).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the write started.</exception>
    /// <remarks>Called on the writer thread, the write runs inline. Any exception of the write or of the commit is rethrown.</remarks>
    public TResult Execute<TResult>(Func<TResource, TResult> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        if (IsWriterThread)
        {
            return write(InlineResource());
        }

        return Enqueue(new FuncItem<TResult>(this, write), cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>Queues <paramref name="write"/> without waiting for it (fire and forget); blocks only while the queue is full.</summary>
    /// <param name="write">Runs on the writer thread with the resource. Its exception, or its batch's commit exception, goes to
    /// <see cref="SingleWriterOptions{TResource}.OnError"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The writer is completing, or could not open its resource (inner exception: the original error).</exception>
    /// <remarks>Called on the writer thread, the write runs inline.</remarks>
    public void Post(Action<TResource> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (IsWriterThread)
        {
            try
            {
                write(InlineResource());
            }
            catch (Exception ex)
            {
                ReportError(ex);
            }

            return;
        }

        Exception? rejection = TryEnqueue(new PostItem(this, write));
        if (rejection is not null)
        {
            throw rejection;
        }
    }

    /// <summary>
    /// Stops accepting writes, lets the writer run every write it has accepted, disposes the resource on the writer thread
    /// and ends the thread. Idempotent: every call returns the same task.
    /// </summary>
    /// <returns>A task that completes when the thread has ended; it faults if disposing the resource threw.</returns>
    /// <remarks>Do not block on this task from inside a write: the writer thread cannot end while it waits for itself.</remarks>
    public Task CompleteAsync()
    {
        TaskCompletionSource? delayEnd;
        lock (_gate)
        {
            if (!_completing)
            {
                _completing = true;
                Monitor.PulseAll(_gate);
            }

            delayEnd = TakeCommitDelayEndLocked(); // no more writes can join a held batch: commit it now
        }

        delayEnd?.TrySetResult();
        return _completed.Task;
    }

    /// <summary>Same as <see cref="CompleteAsync"/>.</summary>
    /// <returns>A task that completes when the writer thread has ended.</returns>
    public ValueTask DisposeAsync() => new(CompleteAsync());

    // Accepted writes not yet taken by the writer (admitted or waiting for room). For tests and the debugger display.
    internal int QueueLength
    {
        get
        {
            lock (_gate)
            {
                return _admitted + _overflow.Count;
            }
        }
    }

    // Written only by the writer thread: how often it delayed a commit, and how many writes joined a batch during a
    // delay. For tests that prove the commit delay is exercised; read after the writer ended.
    internal int CommitDelays { get; private set; }

    internal int WritesJoinedDuringCommitDelays { get; private set; }

    /// <inheritdoc/>
    public override string ToString() => $"SingleWriter<{typeof(TResource).Name}> '{Name}'";

    // Queues the item (or fails its task if the writer no longer accepts writes) and returns its task.
    private Task<TResult> Enqueue<TResult>(FuncItem<TResult> item, CancellationToken cancellationToken)
    {
        item.RegisterCancellation(cancellationToken);
        Exception? rejection = TryEnqueue(item);
        if (rejection is not null)
        {
            item.Reject(rejection);
        }

        return item.Task;
    }

    private Exception? RejectionLocked()
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Called with the lock held.");
        if (_openError is not null)
        {
            return _openFailed ? OpenFailed(_openError) : Stopped(_openError);
        }

        return _completing
            ? new InvalidOperationException($"{this} is completing or completed (CompleteAsync or DisposeAsync was called, or the process is exiting); it accepts no more writes.")
            : null;
    }

    private InvalidOperationException Stopped(Exception error) =>
        new($"{this} stopped after an internal error, so it runs no writes: {error.Message}", error);

    private InvalidOperationException OpenFailed(Exception error) =>
        new($"{this} could not open its resource, so it runs no writes: {error.Message}", error);

    private TResource InlineResource() =>
        _opened
            ? _resource
            : throw new InvalidOperationException($"{this}: the open function cannot submit writes; the resource does not exist yet.");

    private void ReportError(Exception error)
    {
        // Never called with _gate held. (Not asserted: Coyote's Monitor.IsEntered throws when the lock is free.)
        if (_onError is null)
        {
            Trace.TraceError($"{this}: unobserved write error: {error}");
            return;
        }

        try
        {
            _onError(error);
        }
        catch (Exception ex)
        {
            Trace.TraceError($"{this}: the OnError handler threw {ex} while handling {error}");
        }
    }
}
