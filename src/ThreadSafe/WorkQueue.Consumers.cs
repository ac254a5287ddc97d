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

    private void ProcessBatch(Consumer consumer, int n)
    {
        int processed = 0, failed = 0;
        WorkQueue<T>? outer = t_handlerOf;
        t_handlerOf = this; // synchronous handlers run on this thread until the batch ends
        try
        {
            ProcessBatchItems(consumer, n, ref processed, ref failed);
        }
        finally
        {
            t_handlerOf = outer;
        }

        Flush(processed, failed);
    }

    private void ProcessBatchItems(Consumer consumer, int n, ref int processed, ref int failed)
    {
        for (int i = 0; i < n; i++)
        {
            if (Volatile.Read(ref _state) >= Aborting)
            {
                HandBack(consumer, i, n);
                break;
            }

            T item = StartItem(consumer, i, n);
            try
            {
                _handler!(item);
                processed++;
            }
            catch (OperationCanceledException) when (_abortCts.IsCancellationRequested)
            {
                HandBackStarted(consumer, item, i, n); // the same rule as for asynchronous handlers (see there)
                break;
            }
            catch (Exception ex)
            {
                failed++;
                OnHandlerError(item, ex);
            }
        }
    }

    // An item the handler gave up on because the queue is aborting goes back in front of the unstarted rest of the batch.
    private void HandBackStarted(Consumer consumer, T item, int index, int n)
    {
        consumer.Batch[index] = item;
        WorkQueueMetrics.Record(WorkQueueMetrics.QueueLength, 1, _nameTag); // Exit subtracts every handed-back item
        HandBack(consumer, index, n);
    }

    private async Task ProcessBatchAsync(Consumer consumer, int n)
    {
        int processed = 0, failed = 0;
        CancellationToken abortToken = _abortCts.Token;
        for (int i = 0; i < n; i++)
        {
            if (Volatile.Read(ref _state) >= Aborting)
            {
                HandBack(consumer, i, n);
                break;
            }

            T item = StartItem(consumer, i, n);
            try
            {
                ValueTask pending = StartAsyncHandler(item, abortToken);
                if (consumer.Dedicated && !pending.IsCompleted)
                {
                    pending.AsTask().GetAwaiter().GetResult();
                }
                else
                {
                    await pending.ConfigureAwait(false);
                }

                processed++;
            }
            catch (OperationCanceledException) when (abortToken.IsCancellationRequested)
            {
                // The handler stopped while the queue is aborting, through the abort token or a token linked to it: the
                // item was not handled, so it is handed back first. It counts as waiting again until the queue stops.
                HandBackStarted(consumer, item, i, n);
                break;
            }
            catch (Exception ex)
            {
                failed++;
                OnHandlerError(item, ex);
            }
        }

        Flush(processed, failed);
    }

    // Runs the synchronous part of an asynchronous handler, marked as a handler of this queue on this thread.
    private ValueTask StartAsyncHandler(T item, CancellationToken abortToken)
    {
        WorkQueue<T>? outer = t_handlerOf;
        t_handlerOf = this;
        try
        {
            return _asyncHandler!(item, abortToken);
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
