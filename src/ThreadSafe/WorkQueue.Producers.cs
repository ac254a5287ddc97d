using System.Diagnostics;

namespace ThreadSafe;

/// <content>The producer side of <see cref="WorkQueue{T}"/>: adding with back pressure and cancellation.</content>
public sealed partial class WorkQueue<T>
{
    /// <summary>Adds an item, blocking while the queue is full (back pressure).</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Cancels the wait for space; a cancelled call never enqueues its item.</param>
    /// <exception cref="InvalidOperationException">
    /// The queue no longer accepts items (completing, aborted or faulted); or the call comes from a handler of this
    /// queue on its consumer thread, the queue is full, and every other consumer is also blocked adding from its
    /// handler: nobody would ever make space.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the item was accepted.</exception>
    public void Add(T item, CancellationToken cancellationToken = default)
    {
        // The token is checked before the first attempt only: a producer woken for a free slot retries even if its token
        // fired meanwhile, so the wake-up it consumed is used (or, if the slot is gone, it waits again and the
        // registration of the cancelled token cancels that wait at once). A call that throws never enqueued its item.
        cancellationToken.ThrowIfCancellationRequested();
        long waitStart = 0;
        bool countedAsBlockedHandler = false;
        while (true)
        {
            TaskCompletionSource? waiter = TryEnqueueOrWait(item, waitStart, synchronous: true, ref countedAsBlockedHandler);
            if (waiter is null)
            {
                return;
            }

            if (waitStart == 0)
            {
                waitStart = Stopwatch.GetTimestamp();
            }

            CancellationTokenRegistration registration = RegisterCancellation(waiter, cancellationToken);
            try
            {
                waiter.Task.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
                // Cancelled: handled below.
            }
            finally
            {
                // Unregister, not Dispose: Dispose would wait for a callback running on the cancelling thread, and the
                // callback only cancels this waiter, which is harmless once we stop waiting.
                registration.Unregister();
            }

            if (waiter.Task.IsCanceled)
            {
                RemoveSpaceWaiter(waiter, ref countedAsBlockedHandler);
                RecordAddWait(waitStart);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>Adds an item, waiting asynchronously while the queue is full (back pressure).</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Cancels the wait for space; a cancelled call never enqueues its item.</param>
    /// <returns>A task that completes when the item has been accepted.</returns>
    /// <exception cref="InvalidOperationException">The queue no longer accepts items (completing, aborted or faulted).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the item was accepted.</exception>
    public ValueTask AddAsync(T item, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        TaskCompletionSource? waiter;
        bool counted = false;
        try
        {
            waiter = TryEnqueueOrWait(item, waitStart: 0, synchronous: false, ref counted);
        }
        catch (InvalidOperationException ex)
        {
            return ValueTask.FromException(ex);
        }

        // The slow path is a Task (it allocates a waiter anyway): a Task-backed ValueTask is one Coyote can follow.
        return waiter is null ? default : new ValueTask(AddSlowAsync(item, waiter, cancellationToken));
    }

    /// <summary>Adds an item if there is space now, without waiting.</summary>
    /// <param name="item">The item.</param>
    /// <returns><see langword="true"/> if the item was accepted; <see langword="false"/> if the queue is full or no longer accepts items.</returns>
    public bool TryAdd(T item)
    {
        Wakeups wakeConsumer;
        lock (_gate)
        {
            AssertInvariants();
            if (_state != Open || Volatile.Read(ref _pending) >= _capacity)
            {
                return false;
            }

            wakeConsumer = Enqueue(item);
        }

        AfterEnqueue(wakeConsumer);
        return true;
    }

    private async Task AddSlowAsync(T item, TaskCompletionSource waiter, CancellationToken cancellationToken)
    {
        long waitStart = Stopwatch.GetTimestamp();
        while (true)
        {
            await WaitForSpaceWakeupAsync(waiter, waitStart, cancellationToken).ConfigureAwait(false);

            // No token check here: this producer was woken for a free slot and must use it or pass it on (see Add).
            bool counted = false;
            TaskCompletionSource? next = TryEnqueueOrWait(item, waitStart, synchronous: false, ref counted);
            if (next is null)
            {
                return;
            }

            waiter = next;
        }
    }

    // Waits asynchronously until a consumer or a state change wakes the space waiter (AddAsync, WaitToWriteAsync). If the
    // token cancels it first, the waiter is removed under _gate before OperationCanceledException is thrown, so no later
    // operation has to clean it up; for AddAsync (waitStart not 0) the wait is recorded as an add wait.
    private async Task WaitForSpaceWakeupAsync(TaskCompletionSource waiter, long waitStart, CancellationToken cancellationToken)
    {
        CancellationTokenRegistration registration = RegisterCancellation(waiter, cancellationToken);
        try
        {
            await waiter.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            bool notCounted = false; // asynchronous waits are never counted as blocked handlers
            RemoveSpaceWaiter(waiter, ref notCounted);
            if (waitStart != 0)
            {
                RecordAddWait(waitStart);
            }

            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            registration.Unregister(); // not Dispose, which could wait for the callback (see Add)
        }
    }

    private static CancellationTokenRegistration RegisterCancellation(TaskCompletionSource waiter, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource)state!).TrySetCanceled(token), waiter)
            : default;

    // Enqueues the item, or registers and returns a space waiter when the queue is full. synchronous: called by Add,
    // which blocks its thread; only then is a call from a handler of this queue on its consumer thread checked for a
    // self-deadlock (the thread-static read happens only on a full queue, off the fast path). countedAsBlockedHandler
    // says whether the caller is counted in _handlersBlockedInAdd (it stops being counted at the next call or at
    // RemoveSpaceWaiter).
    private TaskCompletionSource? TryEnqueueOrWait(T item, long waitStart, bool synchronous, ref bool countedAsBlockedHandler)
    {
        Wakeups wakeConsumer;
        lock (_gate)
        {
            AssertInvariants();
            if (countedAsBlockedHandler)
            {
                _handlersBlockedInAdd--;
                countedAsBlockedHandler = false;
            }

            if (_state != Open)
            {
                throw NotAccepting();
            }

            if (Volatile.Read(ref _pending) >= _capacity)
            {
                bool fromHandler = synchronous && IsHandlerOfThisQueue;
                if (fromHandler && _handlersBlockedInAdd + 1 >= _running)
                {
                    throw new InvalidOperationException(
                        $"Add was called from a handler of {_name} while the queue is full, and every other consumer is blocked the same way: " +
                        "only the consumers can make space, so it would wait for ever. From a handler, use TryAdd (and keep the item if it " +
                        "returns false), or raise Capacity.");
                }

                var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _spaceWaiters.Add(waiter);
                Interlocked.Increment(ref _spaceWaiterCount); // full fence before re-reading _pending (see the field)
                if (Volatile.Read(ref _pending) >= _capacity)
                {
                    if (fromHandler)
                    {
                        _handlersBlockedInAdd++;
                        countedAsBlockedHandler = true;
                    }

                    return waiter;
                }

                _spaceWaiters.RemoveAt(_spaceWaiters.Count - 1);
                Interlocked.Decrement(ref _spaceWaiterCount);
            }

            wakeConsumer = Enqueue(item);
        }

        if (waitStart != 0)
        {
            RecordAddWait(waitStart);
        }

        AfterEnqueue(wakeConsumer);
        return null;
    }

    // Called with _gate held, the queue open and not full. Returns the idle consumer to wake, if any.
    private Wakeups Enqueue(T item)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Enqueue needs the lock.");
        Debug.Assert(_state == Open && _pending < _capacity, "Enqueue needs an open queue with space.");
        if (_batchSize > 0)
        {
            return EnqueueForBatch(item);
        }

        _ring.Enqueue(item);
        Interlocked.Increment(ref _pending);
        AssertInvariants();
        return _idleConsumers > 0 ? TakeOneIdleConsumer() : default;
    }

    // Called with _gate held and at least one idle consumer: takes the wake-up of the one that has waited longest.
    private Wakeups TakeOneIdleConsumer()
    {
        Debug.Assert(Monitor.IsEntered(_gate) && _idleConsumers > 0, "TakeOneIdleConsumer needs the lock and an idle consumer.");
        _idleConsumers--;
        return _idleTasks is null ? new Wakeups(null, 1, null) : new Wakeups(null, 0, _idleTasks.Dequeue());
    }

    private void AfterEnqueue(Wakeups wakeConsumer)
    {
        wakeConsumer.Run(this); // first: a throwing metrics listener is contained anyway, but a wake-up must not wait for it
        WorkQueueMetrics.Record(WorkQueueMetrics.QueueLength, 1, _nameTag);
    }

    private void RemoveSpaceWaiter(TaskCompletionSource waiter, ref bool countedAsBlockedHandler)
    {
        lock (_gate)
        {
            AssertInvariants();
            if (countedAsBlockedHandler)
            {
                _handlersBlockedInAdd--;
                countedAsBlockedHandler = false;
            }

            if (_spaceWaiters.Remove(waiter))
            {
                Interlocked.Decrement(ref _spaceWaiterCount);
            }
        }
    }

    private void RecordAddWait(long waitStart)
    {
        if (WorkQueueMetrics.AddWait.Enabled)
        {
            WorkQueueMetrics.Record(WorkQueueMetrics.AddWait, Stopwatch.GetElapsedTime(waitStart).TotalSeconds, _nameTag);
        }
    }
}
