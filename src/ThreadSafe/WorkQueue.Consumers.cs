using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ThreadSafe;

/// <content>The consumer side of <see cref="WorkQueue{T}"/>: batches, handlers, the error rule and the final stop.</content>
public sealed partial class WorkQueue<T>
{
    // A consumer takes up to this many items per lock acquisition (fewer when fewer wait). Items in a batch still count
    // as waiting (_pending) until the consumer starts them, and are handed back if it stops before starting them.
    private const int MaxBatch = 64;

    private void StartConsumers(int consumers, bool dedicatedThreads)
    {
        lock (_gate)
        {
            AssertInvariants();
            _running = consumers;
            _idleTasks = dedicatedThreads ? null : new Queue<TaskCompletionSource>();
        }

        int batch = _batchSize > 0 ? _batchSize : Math.Min(_capacity, MaxBatch);
        for (int i = 0; i < consumers; i++)
        {
            var consumer = new Consumer(new T[batch], dedicatedThreads);
            if (dedicatedThreads)
            {
                var thread = new Thread(() => ConsumeAsync(consumer).GetAwaiter().GetResult())
                {
                    IsBackground = true,
                    Name = consumers == 1 ? $"{_name} consumer" : $"{_name} consumer {i + 1}",
                };
                thread.Start();
            }
            else
            {
                // An Action, not a Func<Task>: nothing waits for the consumer's task (Exit reports the outcome), and
                // Coyote 1.7.11 mis-tracks Task.Run's proxy task for a task that another operation completes.
                Task.Run(() => { _ = ConsumeAsync(consumer); });
            }
        }
    }

    // On a dedicated thread every wait below is synchronous, so this method never yields and the thread stays the consumer.
    private async Task ConsumeAsync(Consumer consumer)
    {
        try
        {
            if (_batchSize > 0)
            {
                await ConsumeBatchesAsync(consumer).ConfigureAwait(false);
                return;
            }

            while (true)
            {
                int taken;
                lock (_gate)
                {
                    AssertInvariants();
                    taken = TakeBatch(consumer);
                }

                if (taken < 0)
                {
                    return;
                }

                if (taken == 0)
                {
                    await WaitIdleAsync(consumer).ConfigureAwait(false);
                    continue;
                }

                if (_handler is not null)
                {
                    ProcessBatch(consumer, taken);
                }
                else
                {
                    await ProcessBatchAsync(consumer, taken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Exit();
        }
    }

    // Called with _gate held. Returns the number of items moved into the consumer's batch, 0 if the consumer must wait
    // (it is then counted in _idleConsumers and will get one wake-up), or -1 if it must stop.
    private int TakeBatch(Consumer consumer)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "TakeBatch needs the lock.");
        if (_state >= Aborting)
        {
            return -1;
        }

        if (_ring.Count == 0)
        {
            if (_state == Completing)
            {
                return -1;
            }

            RegisterIdle(consumer);
            return 0;
        }

        int n = _ring.DequeueInto(consumer.Batch);
        consumer.Sequence = _headSequence;
        _headSequence += n;
        return n;
    }

    // Called with _gate held by a consumer that found nothing to do: it is counted in _idleConsumers and will get one
    // wake-up (a Release of _itemsAvailable, or the completion of its IdleSignal for a thread-pool consumer).
    private void RegisterIdle(Consumer consumer)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "RegisterIdle needs the lock.");
        _idleConsumers++;
        if (_idleTasks is not null)
        {
            consumer.IdleSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _idleTasks.Enqueue(consumer.IdleSignal);
        }
    }

    // The wake-up promised by RegisterIdle: waited for synchronously on a dedicated thread, so that it stays the
    // consumer (the returned task is then complete); for a thread-pool consumer, the task of its IdleSignal, which only
    // this consumer reads, so it is cleared at once. Not an async method: no extra state machine per idle wait.
    private Task WaitIdleAsync(Consumer consumer)
    {
        if (consumer.Dedicated)
        {
            _itemsAvailable.Wait();
            return Task.CompletedTask;
        }

        Task signal = consumer.IdleSignal!.Task;
        consumer.IdleSignal = null;
        return signal;
    }

    // A batch of a synchronous handler: the consumer's thread runs every handler, so it is marked as a handler of this queue
    // once, for the whole batch (including OnError), not once per item.
    private void ProcessBatch(Consumer consumer, int n)
    {
        var progress = default(ItemProgress);
        WorkQueue<T>? outer = t_handlerOf;
        t_handlerOf = this;
        try
        {
            bool over = RunItems(consumer, n, new SyncItemHandler(_handler!), ref progress, out _);
            Debug.Assert(over, "A synchronous handler never leaves a task to await.");
        }
        finally
        {
            t_handlerOf = outer;
        }

        Flush(progress.Processed, progress.Failed);
    }

    // A batch of an asynchronous handler. RunItems runs it; when a handler's task is not complete on a thread-pool
    // consumer, this awaits it, settles its item by the same rule and lets RunItems go on with the next item.
    private async Task ProcessBatchAsync(Consumer consumer, int n)
    {
        var handler = new AsyncItemHandler(this, _abortCts.Token);
        var progress = default(ItemProgress);
        while (!RunItems(consumer, n, handler, ref progress, out ValueTask pending))
        {
            Exception? error = null;
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                error = ex;
            }

            if (!Settle(consumer, progress.Next - 1, n, progress.Awaited!, error, ref progress))
            {
                break;
            }
        }

        Flush(progress.Processed, progress.Failed);
    }

    // The per-item loop of both handler kinds, from progress.Next to the end of the batch: stop when the queue is aborting
    // (the rest of the batch is handed back), start the item, run its handler, settle it (Settle). Returns true when the
    // batch is over. Returns false when a thread-pool consumer must await the handler's task (pending): the item is then
    // progress.Awaited, at index progress.Next - 1, and the caller settles it and calls again (a dedicated consumer never
    // yields: see BlockIfDedicated). Generic over a struct so that the synchronous handler's path is compiled on its own:
    // there the handler is a direct call and the test for a task to await is a constant the JIT removes.
    private bool RunItems<THandler>(Consumer consumer, int n, THandler handler, ref ItemProgress progress, out ValueTask pending)
        where THandler : struct, IItemHandler
    {
        pending = default;
        for (int i = progress.Next; i < n; i++)
        {
            if (Volatile.Read(ref _state) >= Aborting)
            {
                HandBack(consumer, i, n);
                return true;
            }

            T item = StartItem(consumer, i, n);
            Exception? error = null;
            try
            {
                if (!handler.Run(item, consumer, out ValueTask started))
                {
                    progress.Next = i + 1;
                    progress.Awaited = item;
                    pending = started;
                    return false;
                }
            }
            catch (Exception ex)
            {
                error = ex;
            }

            if (!Settle(consumer, i, n, item, error, ref progress))
            {
                return true;
            }
        }

        return true;
    }

    // The error rule for one item whose handler returned (error null) or threw. Returns false when the batch is over: the
    // handler threw an OperationCanceledException while the queue is aborting (through the abort token or a token linked to
    // it), so the item was not handled; it goes back in front of the unstarted rest of the batch, not counted as failed.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Settle(Consumer consumer, int index, int n, T item, Exception? error, ref ItemProgress progress)
    {
        if (error is null)
        {
            progress.Processed++;
            return true;
        }

        if (error is OperationCanceledException && _abortCts.IsCancellationRequested)
        {
            HandBackStarted(consumer, item, index, n);
            return false;
        }

        progress.Failed++;
        OnHandlerError(item, error);
        return true;
    }

    // An item the handler gave up on because the queue is aborting goes back in front of the unstarted rest of the batch.
    // It counts as waiting again until the queue stops.
    private void HandBackStarted(Consumer consumer, T item, int index, int n)
    {
        consumer.Batch[index] = item;
        WorkQueueMetrics.Record(WorkQueueMetrics.QueueLength, 1, _nameTag); // Exit subtracts every handed-back item
        HandBack(consumer, index, n);
    }

    // The dedicated-thread rule for the task of a handler (per item or per batch). A dedicated consumer never yields: it
    // blocks until an incomplete task completes, so that its thread stays the consumer, and gets a completed task back
    // (the handler's exception is thrown here, as an await would throw it). A thread-pool consumer gets the task back, to
    // await it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ValueTask BlockIfDedicated(ValueTask handlerTask, Consumer consumer)
    {
        if (consumer.Dedicated && !handlerTask.IsCompleted)
        {
            handlerTask.AsTask().GetAwaiter().GetResult();
            return default;
        }

        return handlerTask;
    }

    // Runs the synchronous part of a handler (per item or per batch), marked as a handler of this queue on this thread: an
    // asynchronous handler may continue on any thread after its first await, so the mark ends when this call returns.
    private ValueTask StartMarked<TArg>(Func<TArg, CancellationToken, ValueTask> handler, TArg arg, CancellationToken abortToken)
    {
        WorkQueue<T>? outer = t_handlerOf;
        t_handlerOf = this;
        try
        {
            return handler(arg, abortToken);
        }
        finally
        {
            t_handlerOf = outer;
        }
    }

    // The item leaves the waiting count when it starts, which frees a slot. With a wake threshold of 1 (the default) the
    // slot wakes one waiting producer. With a larger threshold, producers waiting for space are all woken when that many
    // slots are free, or at the latest when the last item of the batch starts: fewer wake-ups, at the price of the
    // liveness hazard documented on WorkQueueOptions.ProducerWakeThreshold.
    private T StartItem(Consumer consumer, int index, int batchLength)
    {
        T item = consumer.Batch[index];
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            consumer.Batch[index] = default!;
        }

        int pending = Interlocked.Decrement(ref _pending); // full fence before reading _spaceWaiterCount (see the field)
        if (Volatile.Read(ref _spaceWaiterCount) > 0)
        {
            if (_wakeThreshold == 1)
            {
                WakeOneSpaceWaiter();
            }
            else if (_capacity - pending >= _wakeThreshold || index == batchLength - 1)
            {
                TaskCompletionSource[]? waiters;
                lock (_gate)
                {
                    AssertInvariants();
                    waiters = TakeSpaceWaiters();
                }

                new Wakeups(waiters, 0, null).Run(this);
            }
        }

        WorkQueueMetrics.Record(WorkQueueMetrics.QueueLength, -1, _nameTag);
        return item;
    }

    // One slot was freed: wake the producer that has waited longest (FIFO), not all of them (no thundering herd of
    // producers racing for one slot). A wake-up is never lost to cancellation: a waiter whose token fired first cannot
    // take it (TrySetResult fails) and it passes to the next waiter; a producer woken first retries without checking its
    // token again (see Add), so it either uses the slot or, if another producer took it, waits again. A woken producer
    // that finds the queue full again lost the slot to another producer, so the slot was not wasted either.
    // RemoveAt(0) is linear in the number of waiting producers, which is small (it is bounded by the producers).
    private void WakeOneSpaceWaiter()
    {
        while (true)
        {
            TaskCompletionSource waiter;
            lock (_gate)
            {
                AssertInvariants();
                if (_spaceWaiters.Count == 0)
                {
                    return;
                }

                waiter = _spaceWaiters[0];
                _spaceWaiters.RemoveAt(0);
                Interlocked.Decrement(ref _spaceWaiterCount);
            }

            if (waiter.TrySetResult()) // outside _gate: a task is never completed under the lock
            {
                return;
            }
        }
    }

    private void Flush(int processed, int failed)
    {
        if (processed > 0)
        {
            Interlocked.Add(ref _processed, processed);
            WorkQueueMetrics.Record(WorkQueueMetrics.Processed, processed, _nameTag);
        }

        if (failed > 0)
        {
            Interlocked.Add(ref _failed, failed);
            WorkQueueMetrics.Record(WorkQueueMetrics.Failed, failed, _nameTag);
        }
    }
}
