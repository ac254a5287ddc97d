using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ThreadSafe;

/// <content>
/// Batch handlers of <see cref="WorkQueue{T}"/>: the constructors, gathering a batch under the oldest-item deadline, and
/// running a batch under the queue's error and abort rules.
/// </content>
public sealed partial class WorkQueue<T>
{
    // Set by the batch constructors, else null. A synchronous batch handler is wrapped into this shape (Synchronous).
    private readonly Func<ReadOnlyMemory<T>, CancellationToken, ValueTask>? _batchHandler;

    // WorkQueueBatchOptions.MaxBatchSize clamped to _capacity, or 0 for a per-item handler: the field that selects the mode.
    private readonly int _batchSize;

    // WorkQueueBatchOptions.MaxBatchDelay, and the clock and delay it is measured with: Stopwatch and Task.Delay (which
    // Coyote controls; _delay is then null), or those of a test.
    private readonly TimeSpan _maxBatchDelay;
    private readonly Func<long>? _timestamp;
    private readonly Func<TimeSpan, CancellationToken, Task>? _delay;

    // Guarded by _gate. With a batch delay: the timestamp at which _ring last went from empty to non-empty. The items
    // waiting now arrived at or after it, so a deadline counted from it is never later than the oldest item's.
    private long _oldestArrival;

    // Guarded by _gate. The signal of the one consumer gathering a batch (waiting for it to fill or for its deadline), or
    // null. Whoever takes it from here completes it after releasing the lock: the producer whose item fills the batch,
    // or a state change. A consumer that finds it set while the batch is neither full nor due goes idle instead: the
    // gatherer takes the batch and wakes an idle consumer if items remain.
    private GatherSignal? _gatherSignal;

    // Lock-free monitoring counter: gatherings that ended by their deadline (batches handed over partial because the
    // oldest item's time was up). Tests use it to prove that the delay was explored.
    private int _deadlinesPassed;

    /// <summary>Creates a queue whose consumers hand batches of items to a synchronous handler; the consumers start now.</summary>
    /// <param name="batching">The most items per batch and the longest the oldest item may wait for others to join it.</param>
    /// <param name="handler">
    /// Runs once per batch, on a consumer, with up to <see cref="WorkQueueBatchOptions.MaxBatchSize"/> items in FIFO order
    /// and the token that <see cref="AbortAsync()"/> cancels. The memory is valid only during the call: it is the
    /// consumer's own array, reused for its next batch (copy it with <c>ToArray()</c> to keep the items).
    /// </param>
    /// <param name="options">Capacity, consumers, threads, error handler and name; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="batching"/> or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="handler"/> is an <see langword="async"/> lambda or method (it would be <see langword="async"/>
    /// <see langword="void"/>: the queue could not wait for it nor see its exceptions). Pass it as a
    /// <see cref="Func{T1, T2, TResult}"/> returning <see cref="ValueTask"/>, which an <c>async (batch, ct) =&gt; ...</c>
    /// lambda binds to by itself.
    /// </exception>
    /// <remarks>
    /// The error rule applies to every item of a batch whose handler throws: <see cref="WorkQueueOptions{T}.OnError"/> is
    /// called once per item, with the same exception; without it the queue faults with every item of the batch in
    /// <see cref="WorkQueueFaultedException{T}.FailedItems"/>. A handler that throws an <see cref="OperationCanceledException"/>
    /// while its token is cancelled stopped because of <see cref="AbortAsync()"/>: its whole batch is handed back first.
    /// </remarks>
    public WorkQueue(WorkQueueBatchOptions batching, Action<ReadOnlyMemory<T>, CancellationToken> handler, WorkQueueOptions<T>? options = null)
        : this(null, null, options, new BatchSetup(NotNull(batching), Synchronous(RefuseAsync(handler, batch: true))))
    {
    }

    /// <summary>Creates a queue whose consumers hand batches of items to an asynchronous handler; the consumers start now.</summary>
    /// <param name="batching">The most items per batch and the longest the oldest item may wait for others to join it.</param>
    /// <param name="handler">
    /// Runs once per batch, on a consumer, which awaits it before taking the next batch. It receives up to
    /// <see cref="WorkQueueBatchOptions.MaxBatchSize"/> items in FIFO order and the token that <see cref="AbortAsync()"/>
    /// cancels. An <c>async (batch, ct) =&gt; ...</c> lambda binds to this overload. The memory is valid until the
    /// returned task completes: it is the consumer's own array, reused for its next batch (copy it with
    /// <c>ToArray()</c> to keep the items).
    /// </param>
    /// <param name="options">Capacity, consumers, threads, error handler and name; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="batching"/> or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// The error rule applies to every item of a batch whose handler throws: <see cref="WorkQueueOptions{T}.OnError"/> is
    /// called once per item, with the same exception; without it the queue faults with every item of the batch in
    /// <see cref="WorkQueueFaultedException{T}.FailedItems"/>. A handler that throws an <see cref="OperationCanceledException"/>
    /// while its token is cancelled (for that token, or for one linked to it) stopped because of
    /// <see cref="AbortAsync()"/>: its whole batch is handed back first.
    /// </remarks>
    public WorkQueue(WorkQueueBatchOptions batching, Func<ReadOnlyMemory<T>, CancellationToken, ValueTask> handler, WorkQueueOptions<T>? options = null)
        : this(null, null, options, new BatchSetup(NotNull(batching), handler ?? throw new ArgumentNullException(nameof(handler))))
    {
    }

    private static WorkQueueBatchOptions NotNull(WorkQueueBatchOptions batching) =>
        batching ?? throw new ArgumentNullException(nameof(batching));

    // A synchronous batch handler in the shape of an asynchronous one, whose task is always complete: one batch path runs
    // both (a delegate call per batch more, none per item).
    private static Func<ReadOnlyMemory<T>, CancellationToken, ValueTask> Synchronous(Action<ReadOnlyMemory<T>, CancellationToken> handler) =>
        (items, abortToken) =>
        {
            handler(items, abortToken);
            return default;
        };

    // For tests: the number of gatherings that ended by their deadline.
    internal int DeadlinesPassed => Volatile.Read(ref _deadlinesPassed);

    // The consumer loop of a queue with a batch handler. On a dedicated thread every wait below is synchronous, so this
    // method never yields and the thread stays the consumer (see ConsumeAsync).
    private async Task ConsumeBatchesAsync(Consumer consumer)
    {
        bool deadlinePassed = false;
        while (true)
        {
            int taken;
            TimeSpan gatherFor;
            Wakeups wakeNext = default;
            lock (_gate)
            {
                AssertInvariants();
                taken = TakeHandlerBatch(consumer, deadlinePassed, out gatherFor, ref wakeNext);
            }

            wakeNext.Run(this);
            deadlinePassed = false;
            if (taken < 0)
            {
                return;
            }

            if (taken > 0)
            {
                await RunHandlerBatchAsync(consumer, taken).ConfigureAwait(false);
            }
            else if (consumer.GatherSignal is { } signal)
            {
                deadlinePassed = await GatherAsync(signal, gatherFor, consumer.Dedicated).ConfigureAwait(false);
                if (deadlinePassed)
                {
                    Interlocked.Increment(ref _deadlinesPassed);
                }
            }
            else
            {
                await WaitIdleAsync(consumer).ConfigureAwait(false);
            }
        }
    }

    // Called with _gate held. Returns the number of items moved into the consumer's batch; 0 if it must wait, either idle
    // (counted in _idleConsumers, one wake-up promised) or gathering (consumer.GatherSignal set: wait for it or for
    // gatherFor); -1 if it must stop. deadlinePassed: the consumer's last gathering ended by its deadline, so it takes
    // what is waiting without gathering again. A batch is taken when it is full, when the queue is completing (the
    // partial batch is flushed), when there is no delay, or when the oldest item's deadline has passed.
    private int TakeHandlerBatch(Consumer consumer, bool deadlinePassed, out TimeSpan gatherFor, ref Wakeups wakeNext)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "TakeHandlerBatch needs the lock.");
        gatherFor = TimeSpan.Zero;
        if (consumer.GatherSignal is not null)
        {
            if (ReferenceEquals(_gatherSignal, consumer.GatherSignal))
            {
                _gatherSignal = null; // its deadline ended the gathering: nobody took the signal
            }

            consumer.GatherSignal = null;
        }

        if (_state >= Aborting)
        {
            return -1;
        }

        int waiting = _ring.Count;
        if (waiting == 0)
        {
            if (_state == Completing)
            {
                return -1;
            }

            RegisterIdle(consumer);
            return 0;
        }

        if (waiting < _batchSize && _state == Open && !deadlinePassed && _maxBatchDelay > TimeSpan.Zero)
        {
            TimeSpan remaining = _maxBatchDelay - Stopwatch.GetElapsedTime(_oldestArrival, _timestamp!());
            if (remaining > TimeSpan.Zero)
            {
                if (_gatherSignal is not null)
                {
                    RegisterIdle(consumer); // another consumer gathers this batch
                    return 0;
                }

                _gatherSignal = consumer.GatherSignal = new GatherSignal();
                gatherFor = remaining;
                return 0;
            }
        }

        int n = _ring.DequeueInto(consumer.Batch);
        consumer.Sequence = _headSequence;
        _headSequence += n;
        if (_ring.Count > 0 && _gatherSignal is null && _idleConsumers > 0)
        {
            wakeNext = TakeOneIdleConsumer(); // the items left need a consumer: it takes them or gathers them
        }

        return n;
    }

    // Called with _gate held by Enqueue for a queue with a batch handler. Returns the consumer to wake, if any: the
    // gatherer when this item fills its batch, else an idle consumer when nobody is gathering.
    private Wakeups EnqueueForBatch(T item)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "EnqueueForBatch needs the lock.");
        if (_ring.Count == 0 && _maxBatchDelay > TimeSpan.Zero)
        {
            _oldestArrival = _timestamp!();
        }

        _ring.Enqueue(item);
        Interlocked.Increment(ref _pending);
        AssertInvariants();
        if (_gatherSignal is not null)
        {
            if (_ring.Count < _batchSize)
            {
                return default; // the gatherer's deadline, counted from an older item, covers this one
            }

            GatherSignal full = _gatherSignal;
            _gatherSignal = null;
            return new Wakeups(null, 0, full);
        }

        return _idleConsumers > 0 ? TakeOneIdleConsumer() : default;
    }

    // Waits until the gathered batch is full (or the queue changed state), or until the deadline, whichever completes the
    // signal first. Returns true if the deadline did: the consumer then hands over what is waiting, without waiting for
    // more. One wait on one task: the deadline completes the same signal (see EndAtDeadlineAsync). (A Task.WhenAny of the
    // signal and the delay was reported as a deadlock by Coyote 1.7.11 in about 1 schedule in 300, with nothing blocked.)
    private async Task<bool> GatherAsync(GatherSignal signal, TimeSpan gatherFor, bool dedicated)
    {
        _ = EndAtDeadlineAsync(signal, gatherFor);
        if (dedicated)
        {
            signal.Task.Wait();
        }
        else
        {
            await signal.Task.ConfigureAwait(false);
        }

        return signal.DeadlinePassed;
    }

    // Completes the gathering's signal when its deadline passes, unless a producer or a state change did first. The
    // delay is not cancelled when the signal comes first: it ends by itself within MaxBatchDelay, and completing a
    // completed signal does nothing.
    private async Task EndAtDeadlineAsync(GatherSignal signal, TimeSpan gatherFor)
    {
        await (_delay is null ? Task.Delay(gatherFor) : _delay(gatherFor, CancellationToken.None)).ConfigureAwait(false);
        signal.DeadlinePassed = true; // before TrySetResult, which publishes it to the consumer (a full fence)
        signal.TrySetResult();
    }

    // The signal a gathering consumer waits for. Completed once, by whoever comes first: the producer whose item fills the
    // batch, a state change, or the deadline (which sets DeadlinePassed first).
    private sealed class GatherSignal() : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        // Written by the deadline before it completes the signal, read by the consumer after the signal completed.
        private bool _deadlinePassed;

        public bool DeadlinePassed
        {
            get => Volatile.Read(ref _deadlinePassed);
            set => Volatile.Write(ref _deadlinePassed, value);
        }
    }

    // What a batch constructor passes to the private constructor.
    private sealed class BatchSetup(WorkQueueBatchOptions options, Func<ReadOnlyMemory<T>, CancellationToken, ValueTask> handler)
    {
        public WorkQueueBatchOptions Options { get; } = options;

        public Func<ReadOnlyMemory<T>, CancellationToken, ValueTask> Handler { get; } = handler;
    }
}
