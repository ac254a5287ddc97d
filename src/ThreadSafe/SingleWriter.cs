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
/// <c>open</c> function on the writer thread, used only there, and disposed there by <see cref="CompleteAsync()"/>.
/// </para>
/// <para>
/// Writes run one at a time, in the order they were submitted (so each submitter's writes keep their order). A write
/// that throws fails only its own caller.
/// </para>
/// <para>
/// Back pressure: at most <see cref="Capacity"/> writes are admitted to the queue. Beyond that, a write waits for room in
/// an overflow line, in order, so a later write never overtakes an earlier one: <see cref="ExecuteAsync{TResult}(Func{TResource, TResult}, CancellationToken)"/> waits
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
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed partial class SingleWriter<TResource> : IAsyncDisposable, SingleWriterProcessExit.IWriter
{
    // The writer this thread runs, if any: set by the writer thread for its whole life. Thread-static, so it is
    // immune to thread-id reuse and needs no synchronization.
    [ThreadStatic]
    private static SingleWriter<TResource>? t_current;

    // Guards _state, _error, _queue, _overflow, _admitted, _writerWaiting, _inFlight, _commitDelayEnd, _commitDelayRoom
    // and each item's AdmittedEvent. Private, so no outside code can lock on it. The writer thread waits on it
    // (Monitor.Wait) while the queue is empty. No user delegate runs and no task is completed while it is held. Every
    // entry checks AssertInvariants (debug builds).
    private readonly object _gate = new();

    // Guarded by _gate. Admitted writes in submission order: the bounded queue the writer takes batches from. Items
    // cancelled after admission stay until the writer skips them, but no longer count in _admitted.
    private readonly Queue<WorkItem> _queue = new();

    // Guarded by _gate. Accepted writes waiting for room in _queue, in submission order. Back pressure without
    // reordering: a new write goes here whenever this is not empty, so it never overtakes an earlier one.
    // Invariant (whenever _gate is free): _overflow is empty unless _admitted == Capacity.
    private readonly Queue<WorkItem> _overflow = new();

    private readonly Func<TResource> _open;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxCommitDelay;
    private readonly Action<TResource>? _beginBatch, _beginWrite, _endWrite, _rollbackWrite, _commitBatch, _rollbackBatch;
    private readonly Action<Exception>? _onError;
    private readonly TimeSpan _processExitTimeout;

    // Whether this writer is in the process-exit registry (every writer on a dedicated thread).
    private readonly bool _drainsAtProcessExit;

    // Cancelled once, when a CompleteAsync(CancellationToken) wait is cancelled: the abort signal of token-taking writes.
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _gate (read without it only by the debugger display, with every thread stopped). Changed only by MoveLocked.
    private WriterState _state;

    // Guarded by _gate. Set with the move to OpenFailed (open's exception) or Broken (the loop's defect).
    private Exception? _error;

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

    // Written and read only by the writer thread: the resource; whether a write delegate is running (so a write submitted
    // now runs inline); whether OnError is running (so an error inside it is not reported to it again).
    private TResource _resource = default!;
    private bool _insideWrite;
    private bool _reportingError;

    // The last Action checked and found not async (any thread may read or replace it: a stale value only costs a check).
    private Action<TResource>? _lastSyncAction;

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
        Name = options.Name ?? TypeNames.Format(typeof(SingleWriter<TResource>));
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
        // A writer loop run as a task exists only inside Coyote scenarios, whose iterations must not share the
        // registry's lock; the process-exit drain is covered by real-thread tests.
        _drainsAtProcessExit = !options.RunWriterLoopAsTask;
        if (_drainsAtProcessExit)
        {
            SingleWriterProcessExit.Register(this);
        }

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

    /// <summary>Gets a task that completes when the writer thread has ended (after <see cref="CompleteAsync()"/>, or after <c>open</c> failed).</summary>
    public Task Completion => _completed.Task;

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
            AssertInvariants();
            if (_state is WriterState.Opening or WriterState.Running)
            {
                MoveLocked(WriterState.Completing);
                Monitor.PulseAll(_gate);
            }

            delayEnd = TakeCommitDelayEndLocked(); // no more writes can join a held batch: commit it now
        }

        delayEnd?.TrySetResult();
        return _completed.Task;
    }

    /// <summary>
    /// Same as <see cref="CompleteAsync()"/>, but stops waiting when <paramref name="cancellationToken"/> is cancelled:
    /// the returned task is then cancelled and the writer is aborted, which cancels the token of every write submitted with
    /// a token-taking overload. Aborting never drops or repeats a write: accepted writes still run, in order, and their
    /// callers are still acknowledged after their commit (a token-taking write may then end early with
    /// <see cref="OperationCanceledException"/>); <see cref="Completion"/> completes when the thread has ended.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait (and aborts the writer's running and queued token-taking writes).</param>
    /// <returns>A task that completes when the thread has ended, or is cancelled when the token is.</returns>
    public Task CompleteAsync(CancellationToken cancellationToken)
    {
        Task completion = CompleteAsync();
        return completion.IsCompleted || !cancellationToken.CanBeCanceled
            ? completion
            : WaitOrAbortAsync(completion, cancellationToken);
    }

    /// <summary>Same as <see cref="CompleteAsync()"/>: waits for every accepted write. To bound the wait, call
    /// <see cref="CompleteAsync(CancellationToken)"/> first.</summary>
    /// <returns>A task that completes when the writer thread has ended.</returns>
    public ValueTask DisposeAsync() => new(CompleteAsync());

    // Accepted writes not yet taken by the writer (admitted or waiting for room). For tests and the debugger display.
    internal int QueueLength
    {
        get
        {
            lock (_gate)
            {
                AssertInvariants();
                return _admitted + _overflow.Count;
            }
        }
    }

    // What a person debugging wants to see: the state, the writes waiting and the capacity. Reads without the lock (a
    // debugger stops every thread, and one of them may hold it).
    private string DebuggerDisplay => $"{this}: {_state}, {_admitted + _overflow.Count} queued of {Capacity}, {_inFlight} in the running batch";

    // Written only by the writer thread: how often it delayed a commit, and how many writes joined a batch during a
    // delay. For tests that prove the commit delay is exercised; read after the writer ended.
    internal int CommitDelays { get; private set; }

    internal int WritesJoinedDuringCommitDelays { get; private set; }

    /// <inheritdoc/>
    public override string ToString() => $"{TypeNames.Format(typeof(SingleWriter<TResource>))} '{Name}'";

    private async Task WaitOrAbortAsync(Task completion, CancellationToken cancellationToken)
    {
        try
        {
            await completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            try
            {
                _abort.Cancel();
            }
            catch (AggregateException error)
            {
                Trace.TraceError($"{this}: a callback on a write's token threw while the writer was aborted: {error}");
            }

            throw;
        }
    }

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

    private InvalidOperationException? RejectionLocked()
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Called with the lock held.");
        return _state switch
        {
            WriterState.Opening or WriterState.Running => null,
            WriterState.OpenFailed => OpenFailed(_error!),
            WriterState.Broken => Stopped(_error!),
            _ => new InvalidOperationException($"{this} is completing or completed (CompleteAsync or DisposeAsync was called, or the process is exiting); it accepts no more writes."),
        };
    }

    private InvalidOperationException Stopped(Exception error) =>
        new($"{this} stopped after an internal error, so it runs no writes: {error.Message}", error);

    private InvalidOperationException OpenFailed(Exception error) =>
        new($"{this} could not open its resource, so it runs no writes: {error.Message}", error);

    // Reports an error no caller can observe. Runs on the writer thread only, never with _gate held. (Not asserted:
    // Coyote's Monitor.IsEntered throws when the lock is free.) OnError runs outside any write, so writes it submits
    // are queued and run in a later batch; a failure while reporting (OnError throws, or reports again) is traced and
    // never reported recursively.
    private void ReportError(Exception error)
    {
        if (_onError is null || _reportingError)
        {
            Trace.TraceError(_reportingError
                ? $"{this}: an error while OnError was running (not reported to OnError again): {error}"
                : $"{this}: unobserved write error: {error}");
            return;
        }

        bool insideWrite = _insideWrite;
        _reportingError = true;
        _insideWrite = false;
        try
        {
            _onError(error);
        }
        catch (Exception ex)
        {
            Trace.TraceError($"{this}: the OnError handler threw {ex} while handling {error}");
        }
        finally
        {
            _insideWrite = insideWrite;
            _reportingError = false;
        }
    }

    // Whether the caller is inside a write on this writer's thread: only then does a write submitted now run inline.
    // Elsewhere on the writer thread (open, hooks, OnError, Dispose) a write is queued like any other.
    private bool IsInsideWrite => IsWriterThread && _insideWrite;
}
