using System.Diagnostics;

namespace ThreadSafe;

/// <summary>
/// A bounded producer/consumer queue: producers add items, consumers started at construction run a handler on
/// each one, and shutdown is a state change that never loses an item.
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
/// <remarks>
/// <para>
/// <see cref="CompleteAsync()"/> is the poison pill: the queue stops accepting, the consumers drain every item already
/// accepted, and the task completes when the last handler has returned. <see cref="AbortAsync()"/> stops now: consumers
/// finish the item in hand and every accepted item not yet started is handed back in FIFO order.
/// </para>
/// <para>
/// Error rule: a handler exception never kills a consumer silently and never loses an item. With
/// <see cref="WorkQueueOptions{T}.OnError"/> it is reported there and processing continues; without it the first
/// exception faults the queue with a <see cref="WorkQueueFaultedException{T}"/> carrying the unstarted items.
/// </para>
/// <para>
/// Handlers, error callbacks and task completions never run while the internal lock is held. Do not call
/// <see cref="Add"/> from inside the handler of the same queue: with every consumer blocked on a full queue, nobody
/// would make space.
/// </para>
/// </remarks>
[DebuggerDisplay("{_name,nq}: {StateName,nq}, Count = {Count}, Capacity = {Capacity}")]
public sealed partial class WorkQueue<T> : IAsyncDisposable
{
    // Internal state machine. Open → Completing → Stopped (drained), Open/Completing → Aborting → Stopped,
    // Open/Completing → Faulted → Stopped. Stopped is entered by Exit when the last holder of _running leaves; nothing
    // leaves it. Written only under _gate; read without the lock with Volatile.Read by consumers between items (a stale
    // Open only lets a consumer start one more item, as if it had read it earlier). Consumers stop at Aborting or later.
    private const int Open = 0, Completing = 1, Aborting = 2, Faulted = 3, Stopped = 4;

    // Guards every field marked "guarded by _gate". Private, so no outside code can lock on it.
    private readonly object _gate = new();

    private readonly Action<T>? _handler;
    private readonly Func<T, CancellationToken, ValueTask>? _asyncHandler;
    private readonly Action<T, Exception>? _onError;
    private readonly int _capacity;

    // WorkQueueOptions.ProducerWakeThreshold clamped to _capacity. 1: each started item wakes one waiting producer.
    // More: free slots that make a consumer wake all the waiting producers before the end of its batch (see StartItem).
    private readonly int _wakeThreshold;
    private readonly string _name;
    private readonly KeyValuePair<string, object?> _nameTag;

    // Consumers on dedicated threads wait here for items; one Release per consumer taken off _idleConsumers, never
    // under _gate. (A blocking Wait allocates nothing.)
    private readonly SemaphoreSlim _itemsAvailable = new(0);

    // Cancelled by AbortAsync (outside _gate): the token passed to asynchronous handlers.
    private readonly CancellationTokenSource _abortCts = new();

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _gate. The items not yet taken by a consumer, FIFO. Grows by doubling up to _capacity (it never needs
    // more: _ring.Count <= _pending <= _capacity). A mutable struct: never copy it.
    private WorkQueueRing<T> _ring;

    // Guarded by _gate. Sequence number of the item at the front of _ring (items are numbered in acceptance order); batches
    // remember theirs so that handed-back items can be put back in FIFO order.
    private long _headSequence;

    // Guarded by _gate (see the constants above).
    private int _state;

    // Guarded by _gate. The state the queue was in when it entered Stopped (for messages and the outcome).
    private int _stoppedFrom;

    // Guarded by _gate. Producers waiting for space; each is woken (its task completed outside the lock) and retries.
    private readonly List<TaskCompletionSource> _spaceWaiters = [];

    // Guarded by _gate. Consumers that found nothing to do and wait on _itemsAvailable (dedicated threads) or on their
    // entry of _idleTasks (thread-pool consumers, which await a task each: one per idle wait).
    private int _idleConsumers;
    private Queue<TaskCompletionSource>? _idleTasks;

    // Guarded by _gate. Consumers that have not exited yet, plus one while AbortAsync runs the abort token's callbacks
    // (so that their exceptions are known before the outcome is decided). The last one to leave stops the queue (Exit).
    private int _running;

    // Guarded by _gate. Consumers blocked in a synchronous Add to this queue from their own handler (see TryEnqueueOrWait).
    private int _handlersBlockedInAdd;

    // Guarded by _gate. Unstarted items a consumer held in its batch when it stopped: (first sequence, items).
    private List<(long Sequence, T[] Items)>? _handedBack;

    // Guarded by _gate. Handler (or OnError) exceptions that fault the queue, and the items whose handler threw.
    private List<Exception>? _faults;
    private List<T>? _failedItems;

    // Guarded by _gate. Exceptions thrown by callbacks registered on the abort token while AbortAsync cancelled it.
    private List<Exception>? _abortCallbackErrors;

    // Guarded by _gate. Created by the first AbortAsync; completed when the consumers have stopped.
    private TaskCompletionSource<IReadOnlyList<T>>? _abort;

    // Written under _gate by the last consumer when the queue stopped with a fault that carries the unstarted items
    // (state Faulted, or an abort whose token callbacks threw); read with Volatile.Read afterwards. AbortAsync then
    // faults with it.
    private WorkQueueFaultedException<T>? _finalFault;

    // Lock-free. Items accepted and not yet started: the number Capacity bounds. Invariant: 0 <= _pending <= _capacity.
    // Incremented only by producers holding _gate, right after checking _pending < _capacity; consumers only decrement
    // it (Interlocked, without the lock), so the value can only fall between a producer's check and its increment.
    private int _pending;

    // Lock-free mirror of _spaceWaiters.Count: written under _gate with Interlocked (a full fence), read by consumers
    // with Volatile.Read after their Interlocked.Decrement of _pending. A producer registers (full fence) and then
    // re-reads _pending; a consumer decrements _pending (full fence) and then reads this count. At least one of the two
    // sees the other's write, so a producer never sleeps on space that a consumer freed without waking it.
    private int _spaceWaiterCount;

    // Lock-free monitoring counters, added once per batch.
    private long _processed;
    private long _failed;

    /// <summary>Creates a queue whose consumers run a synchronous handler; the consumers start now.</summary>
    /// <param name="handler">Runs once per item, on a consumer.</param>
    /// <param name="options">Capacity, consumers, threads, error handler and name; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="handler"/> is an <see langword="async"/> lambda or method (it would be <see langword="async"/>
    /// <see langword="void"/>: the queue could not wait for it nor see its exceptions). Pass it as a
    /// <see cref="Func{T, TResult}"/> returning <see cref="ValueTask"/> instead, which an <c>async item =&gt; ...</c>
    /// lambda binds to by itself.
    /// </exception>
    public WorkQueue(Action<T> handler, WorkQueueOptions<T>? options = null)
        : this(RefuseAsync(handler, batch: false), null, options)
    {
    }

    /// <summary>Creates a queue whose consumers run an asynchronous handler; the consumers start now.</summary>
    /// <param name="handler">
    /// Runs once per item, on a consumer, which awaits it before taking the next item. An <c>async item =&gt; ...</c>
    /// lambda binds to this overload.
    /// </param>
    /// <param name="options">Capacity, consumers, threads, error handler and name; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <remarks>The same guarantees as the overload taking a <see cref="CancellationToken"/>, whose token this handler does not see.</remarks>
    public WorkQueue(Func<T, ValueTask> handler, WorkQueueOptions<T>? options = null)
        : this(null, IgnoringToken(handler ?? throw new ArgumentNullException(nameof(handler))), options)
    {
    }

    /// <summary>Creates a queue whose consumers run an asynchronous handler; the consumers start now.</summary>
    /// <param name="handler">Runs once per item, on a consumer. Its token is cancelled by <see cref="AbortAsync()"/>.</param>
    /// <param name="options">Capacity, consumers, threads, error handler and name; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// A handler that throws an <see cref="OperationCanceledException"/> while its token is cancelled (for that token,
    /// or for one linked to it such as a per-item timeout) stopped because of <see cref="AbortAsync()"/>: that is not a
    /// failure, and its item is handed back first.
    /// </remarks>
    public WorkQueue(Func<T, CancellationToken, ValueTask> handler, WorkQueueOptions<T>? options = null)
        : this(null, handler ?? throw new ArgumentNullException(nameof(handler)), options)
    {
    }

    private WorkQueue(Action<T>? handler, Func<T, CancellationToken, ValueTask>? asyncHandler, WorkQueueOptions<T>? options, BatchSetup? batch = null)
    {
        options ??= new WorkQueueOptions<T>();
        _handler = handler;
        _asyncHandler = asyncHandler;
        _onError = options.OnError;
        _capacity = options.Capacity;
        if (batch is not null)
        {
            _batchHandler = batch.Handler;
            _batchSize = Math.Min(batch.Options.MaxBatchSize, _capacity);
            _maxBatchDelay = batch.Options.MaxBatchDelay;
            _timestamp = batch.Options.Timestamp ?? Stopwatch.GetTimestamp;
            _delay = batch.Options.Delay; // null: Task.Delay, called directly so that Coyote's rewriting sees the call
        }

        _wakeThreshold = Math.Min(options.ProducerWakeThreshold, _capacity);
        _name = options.Name ?? TypeNames.Format(typeof(WorkQueue<T>));
        _nameTag = new KeyValuePair<string, object?>(WorkQueueMetrics.NameTag, _name);
        _ring = new WorkQueueRing<T>(_capacity);
        StartConsumers(options.Consumers, options.UseDedicatedThreads);
    }

    // Refuses an async lambda or method passed as a synchronous handler, per item or per batch: it would be async void, so
    // the queue could neither wait for it nor see its exceptions. The message names the constructor and what to pass.
    private static THandler RefuseAsync<THandler>(THandler handler, bool batch)
        where THandler : Delegate
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (AsyncDelegates.IsAsync(handler))
        {
            string t = TypeNames.Format(typeof(T));
            string queue = TypeNames.Format(typeof(WorkQueue<T>));
            throw batch
                ? AsyncDelegates.Refused(
                    nameof(handler),
                    $"new {queue}(WorkQueueBatchOptions, Action<ReadOnlyMemory<{t}>, CancellationToken> handler)",
                    $"a handler typed Func<ReadOnlyMemory<{t}>, CancellationToken, ValueTask> (an async lambda binds to it by itself), which the consumer awaits")
                : AsyncDelegates.Refused(
                    nameof(handler),
                    $"new {queue}(Action<{t}> handler)",
                    $"a handler typed Func<{t}, ValueTask> or Func<{t}, CancellationToken, ValueTask> (an async lambda binds to those by itself), which the consumer awaits");
        }

        return handler;
    }

    private static Func<T, CancellationToken, ValueTask> IgnoringToken(Func<T, ValueTask> handler) => (item, _) => handler(item);

    /// <summary>Gets the maximum number of items that may wait in the queue.</summary>
    public int Capacity => _capacity;

    /// <summary>Gets the name of the queue (consumer threads, metrics).</summary>
    public string Name => _name;

    /// <summary>Gets the number of items accepted and not yet started. For monitoring only: it may change at once.</summary>
    public int Count => Volatile.Read(ref _pending);

    // For tests: producers currently registered as waiting for space.
    internal int WaitingProducers => Volatile.Read(ref _spaceWaiterCount);

    /// <summary>Gets the number of items whose handler returned normally. For monitoring only; exact once <see cref="Completion"/> has completed.</summary>
    public long ProcessedCount => Interlocked.Read(ref _processed);

    /// <summary>Gets the number of items whose handler threw. For monitoring only; exact once <see cref="Completion"/> has completed.</summary>
    public long FailedCount => Interlocked.Read(ref _failed);

    /// <summary>
    /// Gets a task that completes when the consumers have stopped, after <see cref="CompleteAsync()"/> or
    /// <see cref="AbortAsync()"/>. It faults with a <see cref="WorkQueueFaultedException{T}"/> per the error rule.
    /// </summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// The poison pill: stops accepting items, lets the consumers drain every item already accepted, then stops them.
    /// Idempotent: every call returns the same task, which is <see cref="Completion"/>.
    /// </summary>
    /// <returns>A task that completes when the last handler has returned; it faults per the error rule.</returns>
    public Task CompleteAsync()
    {
        Wakeups wakeups = default;
        lock (_gate)
        {
            AssertInvariants();
            if (_state == Open)
            {
                _state = Completing;
                wakeups = TakeWakeupsForStateChange();
            }
        }

        wakeups.Run(this);
        return _completion.Task;
    }

    /// <summary>
    /// Stops now: consumers finish the item in hand, and every accepted item not yet started is handed back.
    /// Every call returns the same task.
    /// </summary>
    /// <returns>
    /// A task that completes, when the consumers have stopped, with the unstarted items in FIFO order (empty if the
    /// queue had already drained). If the queue had faulted first, the task faults with the same
    /// <see cref="WorkQueueFaultedException{T}"/>, which carries those items.
    /// </returns>
    public Task<IReadOnlyList<T>> AbortAsync()
    {
        Wakeups wakeups = default;
        bool cancel = false, alreadyStopped = false;
        TaskCompletionSource<IReadOnlyList<T>> abort;
        lock (_gate)
        {
            AssertInvariants();
            if (_abort is null)
            {
                _abort = new TaskCompletionSource<IReadOnlyList<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_state == Stopped)
                {
                    alreadyStopped = true; // nothing is left to hand back (a fault carries its own items)
                }
                else if (_state is Open or Completing)
                {
                    _state = Aborting;
                    cancel = true;
                    _running++; // held until the token's callbacks have run: see CancelAbortToken
                    wakeups = TakeWakeupsForStateChange();
                }
            }

            abort = _abort;
        }

        if (alreadyStopped)
        {
            SetAbortOutcome(abort, []);
        }

        wakeups.Run(this); // first: no token callback can skip a wake-up
        if (cancel)
        {
            CancelAbortToken();
        }

        return abort.Task;
    }

    /// <summary>
    /// Completes the queue like <see cref="CompleteAsync()"/> and waits for the drain, or until
    /// <paramref name="cancellationToken"/> is cancelled, whichever comes first.
    /// </summary>
    /// <param name="cancellationToken">Stops the <em>wait</em> only.</param>
    /// <returns>A task that completes like <see cref="Completion"/>, or is cancelled when the token is.</returns>
    /// <remarks>
    /// Cancelling never loses nor repeats an item: the queue stays completing, its consumers go on draining, and
    /// <see cref="Completion"/> still completes when they are done. To bound a shutdown, follow a cancelled drain with
    /// <see cref="AbortAsync(CancellationToken)"/>, which hands back what was not started.
    /// </remarks>
    public Task CompleteAsync(CancellationToken cancellationToken) => WaitOrCancel(CompleteAsync(), cancellationToken);

    /// <summary>
    /// Aborts the queue like <see cref="AbortAsync()"/> and waits for the consumers to stop, or until
    /// <paramref name="cancellationToken"/> is cancelled, whichever comes first.
    /// </summary>
    /// <param name="cancellationToken">Stops the <em>wait</em> only.</param>
    /// <returns>A task that completes like the task of <see cref="AbortAsync()"/>, or is cancelled when the token is.</returns>
    /// <remarks>
    /// Cancelling never loses nor repeats an item: the queue stays aborting; a handler that never returns keeps its
    /// consumer, and the other consumers have stopped. A later <see cref="AbortAsync()"/> returns the same outcome, with
    /// every unstarted item, once the last handler in hand has returned.
    /// </remarks>
    public Task<IReadOnlyList<T>> AbortAsync(CancellationToken cancellationToken) => WaitOrCancel(AbortAsync(), cancellationToken);

    /// <summary>Completes the queue (<see cref="CompleteAsync()"/>) and waits for the consumers to drain it.</summary>
    /// <returns>A task that completes when the consumers have stopped.</returns>
    /// <exception cref="WorkQueueFaultedException{T}">The queue faulted: nothing is dropped silently, even on dispose.</exception>
    /// <exception cref="InvalidOperationException">
    /// Called from a handler of this queue, on its consumer thread: the wait would never end, because the drain waits
    /// for that handler. The queue is completed all the same.
    /// </exception>
    /// <remarks>To bound the wait, call <see cref="CompleteAsync(CancellationToken)"/> instead.</remarks>
    public ValueTask DisposeAsync()
    {
        Task completion = CompleteAsync();
        return IsHandlerOfThisQueue
            ? ValueTask.FromException(new InvalidOperationException(
                $"DisposeAsync of {_name} was called from one of its own handlers: it would wait for the drain, which waits for that handler. " +
                "The queue is completing; from a handler, call CompleteAsync() without waiting for it."))
            : new ValueTask(completion);
    }

    /// <inheritdoc/>
    public override string ToString() => _name;

    // For the debugger display.
    private string StateName => Volatile.Read(ref _state) switch
    {
        Open => nameof(Open),
        Completing => nameof(Completing),
        Aborting => nameof(Aborting),
        Faulted => nameof(Faulted),
        _ => nameof(Stopped),
    };

    // Called at lock entries. The invariants that hold whenever _gate is free.
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_gate), "AssertInvariants needs the lock.");
        int pending = Volatile.Read(ref _pending);
        Debug.Assert(_ring.Count <= pending && pending <= _capacity, "ring count <= pending <= capacity");
        Debug.Assert(Volatile.Read(ref _spaceWaiterCount) == _spaceWaiters.Count, "the waiter count mirrors the waiter list");
        Debug.Assert(_idleConsumers >= 0 && _idleConsumers <= _running, "idle consumers are running consumers");
        Debug.Assert(_idleTasks is null || _idleTasks.Count == _idleConsumers, "one idle task per idle pool consumer");
        Debug.Assert(_handlersBlockedInAdd >= 0 && _handlersBlockedInAdd <= _running, "blocked handlers are running consumers");
        Debug.Assert(_state != Stopped || (_running == 0 && _ring.Count == 0 && pending == 0), "a stopped queue holds nothing");
        Debug.Assert(_state == Open || _spaceWaiters.Count == 0, "only an open queue keeps producers waiting");
        Debug.Assert(_gatherSignal is null || (_batchSize > 0 && _state == Open), "only an open queue with a batch handler gathers");
    }

    // Called with _gate held.
    private InvalidOperationException NotAccepting() => new((_state == Stopped ? _stoppedFrom : _state) switch
    {
        Completing when _state == Stopped => $"{_name} completed (CompleteAsync was called) and accepts no more items.",
        Completing => $"{_name} is completing (CompleteAsync was called) and accepts no more items.",
        Aborting => $"{_name} was aborted (AbortAsync was called) and accepts no more items.",
        _ => $"{_name} faulted ({FaultCause}) and accepts no more items; see Completion.",
    });

    private string FaultCause => _onError is null ? "a handler threw and no OnError was set" : "OnError threw while reporting a handler's exception";
}
