using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ThreadSafe;

/// <summary>The consumer side of <see cref="WorkQueue{T}"/>: batches, handlers, the error rule and the final stop.</summary>
public sealed partial class WorkQueue<T>
{
    // A consumer takes up to this many items per lock acquisition (fewer when fewer wait). Items in a batch still count
    // as waiting (_pending) until the consumer starts them, and are handed back if it stops before starting them.
    private const int MaxBatch = 64;

    private void StartConsumers(int consumers, bool dedicatedThreads)
    {
        lock (_gate)
        {
            _runningConsumers = consumers;
            _idleTasks = dedicatedThreads ? null : new Queue<TaskCompletionSource>();
        }

        int batch = Math.Min(_capacity, MaxBatch);
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
            while (true)
            {
                int taken;
                lock (_gate)
                {
                    taken = TakeBatch(consumer);
                }

                if (taken < 0)
                {
                    return;
                }

                if (taken == 0)
                {
                    if (consumer.Dedicated)
                    {
                        _itemsAvailable.Wait();
                    }
                    else
                    {
                        await consumer.IdleSignal!.Task.ConfigureAwait(false);
                        consumer.IdleSignal = null;
                    }

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
    // (it is then counted in _idleConsumers and will get one Release), or -1 if it must stop.
    private int TakeBatch(Consumer consumer)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "TakeBatch needs the lock.");
        if (_state >= Aborting)
        {
            return -1;
        }

        if (_count == 0)
        {
            if (_state == Completing)
            {
                return -1;
            }

            _idleConsumers++;
            if (_idleTasks is not null)
            {
                consumer.IdleSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _idleTasks.Enqueue(consumer.IdleSignal);
            }

            return 0;
        }

        int n = Math.Min(_count, consumer.Batch.Length);
        int first = Math.Min(n, _ring.Length - _head);
        Array.Copy(_ring, _head, consumer.Batch, 0, first);
        Array.Copy(_ring, 0, consumer.Batch, first, n - first);
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_ring, _head, first);
            Array.Clear(_ring, 0, n - first);
        }

        _head = (_head + n) % _ring.Length;
        _count -= n;
        consumer.Sequence = _headSequence;
        _headSequence += n;
        return n;
    }

    private void ProcessBatch(Consumer consumer, int n)
    {
        int processed = 0, failed = 0;
        for (int i = 0; i < n; i++)
        {
            if (Volatile.Read(ref _state) >= Aborting)
            {
                HandBack(consumer, i, n);
                break;
            }

            T item = StartItem(consumer, i);
            try
            {
                _handler!(item);
                processed++;
            }
            catch (Exception ex)
            {
                failed++;
                OnHandlerError(item, ex);
            }
        }

        Flush(processed, failed);
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

            T item = StartItem(consumer, i);
            try
            {
                ValueTask pending = _asyncHandler!(item, abortToken);
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
            catch (OperationCanceledException ex) when (ex.CancellationToken == abortToken && Volatile.Read(ref _state) == Aborting)
            {
                // The handler honoured AbortAsync: the item was not handled, so it is handed back first.
                consumer.Batch[i] = item;
                HandBack(consumer, i, n);
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

    // The item leaves the waiting count when it starts: a producer waiting for space is woken now, not after the batch.
    private T StartItem(Consumer consumer, int index)
    {
        T item = consumer.Batch[index];
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            consumer.Batch[index] = default!;
        }

        Interlocked.Decrement(ref _pending); // full fence before reading _spaceWaiterCount (see the field)
        if (Volatile.Read(ref _spaceWaiterCount) > 0)
        {
            TaskCompletionSource[]? waiters;
            lock (_gate)
            {
                waiters = TakeSpaceWaiters();
            }

            new Wakeups(waiters, 0, null).Run(this);
        }

        if (WorkQueueMetrics.QueueLength.Enabled)
        {
            WorkQueueMetrics.QueueLength.Add(-1, _nameTag);
        }

        return item;
    }

    private void Flush(int processed, int failed)
    {
        if (processed > 0)
        {
            Interlocked.Add(ref _processed, processed);
            if (WorkQueueMetrics.Processed.Enabled)
            {
                WorkQueueMetrics.Processed.Add(processed, _nameTag);
            }
        }

        if (failed > 0)
        {
            Interlocked.Add(ref _failed, failed);
            if (WorkQueueMetrics.Failed.Enabled)
            {
                WorkQueueMetrics.Failed.Add(failed, _nameTag);
            }
        }
    }

    // The error rule. Runs outside _gate; OnError is user code.
    private void OnHandlerError(T item, Exception exception)
    {
        if (_onError is not null)
        {
            try
            {
                _onError(item, exception);
                return;
            }
            catch (Exception onErrorException)
            {
                exception = onErrorException;
            }
        }

        Wakeups wakeups = default;
        lock (_gate)
        {
            if (_faults is null)
            {
                _faults = [];
                _failedItem = item;
            }

            _faults.Add(exception);
            if (_state is Open or Completing)
            {
                _state = Faulted;
                wakeups = TakeWakeupsForStateChange();
            }
        }

        wakeups.Run(this);
    }

    // A stopping consumer hands back the items of its batch it has not started: [from, n), numbered from its sequence.
    private void HandBack(Consumer consumer, int from, int n)
    {
        T[] items = consumer.Batch.AsSpan(from, n - from).ToArray();
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(consumer.Batch);
        }

        lock (_gate)
        {
            (_handedBack ??= []).Add((consumer.Sequence + from, items));
        }
    }

    // The last consumer to exit finishes the queue: collects the unstarted items in FIFO order and completes the tasks.
    private void Exit()
    {
        List<T> unprocessed;
        WorkQueueFaultedException<T>? fault = null;
        TaskCompletionSource<IReadOnlyList<T>>? abort;
        int state;
        lock (_gate)
        {
            if (--_runningConsumers > 0)
            {
                return;
            }

            state = _state;
            unprocessed = new List<T>(_count);
            if (_handedBack is not null)
            {
                _handedBack.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
                foreach ((long _, T[] items) in _handedBack)
                {
                    unprocessed.AddRange(items);
                }

                _handedBack = null;
            }

            for (int i = 0; i < _count; i++)
            {
                unprocessed.Add(_ring[(_head + i) % _ring.Length]);
            }

            Array.Clear(_ring);
            _count = 0;
            Interlocked.Exchange(ref _pending, 0);
            Debug.Assert(state != Completing || unprocessed.Count == 0, "A drained queue has nothing left.");
            if (_faults is not null)
            {
                Exception inner = _faults.Count == 1 ? _faults[0] : new AggregateException(_faults);
                fault = new WorkQueueFaultedException<T>(
                    state == Faulted
                        ? $"A handler of {_name} threw and no OnError was set: the queue stopped. The {unprocessed.Count} unstarted item(s) are in Unprocessed."
                        : $"A handler of {_name} threw while the queue was being aborted; the unstarted items were handed back by AbortAsync.",
                    inner,
                    _failedItem!,
                    state == Faulted ? unprocessed.AsReadOnly() : []);
                if (state == Faulted)
                {
                    Volatile.Write(ref _finalFault, fault);
                }
            }

            abort = _abort;
        }

        if (WorkQueueMetrics.QueueLength.Enabled && unprocessed.Count > 0)
        {
            WorkQueueMetrics.QueueLength.Add(-unprocessed.Count, _nameTag);
        }

        if (abort is not null)
        {
            SetAbortOutcome(abort, state == Aborting ? unprocessed.AsReadOnly() : []);
        }

        if (fault is not null)
        {
            _completion.TrySetException(fault);
        }
        else
        {
            _completion.TrySetResult();
        }
    }

    // Never called under _gate: completing a task is never done while holding the lock.
    private void SetAbortOutcome(TaskCompletionSource<IReadOnlyList<T>> abort, IReadOnlyList<T> unprocessed)
    {
        WorkQueueFaultedException<T>? fault = Volatile.Read(ref _finalFault);
        if (fault is not null)
        {
            abort.TrySetException(fault);
        }
        else
        {
            abort.TrySetResult(unprocessed);
        }
    }

    // Called with _gate held after a state change: everyone waiting must wake up and see it.
    private Wakeups TakeWakeupsForStateChange()
    {
        Debug.Assert(Monitor.IsEntered(_gate), "State changes need the lock.");
        TaskCompletionSource[]? spaceWaiters = TakeSpaceWaiters();
        Wakeups wakeups;
        if (_idleTasks is null)
        {
            wakeups = new Wakeups(spaceWaiters, _idleConsumers, null);
        }
        else
        {
            wakeups = new Wakeups(spaceWaiters, 0, null, _idleTasks.Count == 0 ? null : [.. _idleTasks]);
            _idleTasks.Clear();
        }

        _idleConsumers = 0;
        return wakeups;
    }

    // Called with _gate held. Empties the space-waiter list; the caller completes the tasks after releasing the lock.
    private TaskCompletionSource[]? TakeSpaceWaiters()
    {
        Debug.Assert(Monitor.IsEntered(_gate), "TakeSpaceWaiters needs the lock.");
        if (_spaceWaiters.Count == 0)
        {
            return null;
        }

        TaskCompletionSource[] waiters = [.. _spaceWaiters];
        _spaceWaiters.Clear();
        Interlocked.Exchange(ref _spaceWaiterCount, 0);
        return waiters;
    }

    // Tasks to complete and consumers to release, collected under _gate and run after it is released.
    private readonly struct Wakeups(TaskCompletionSource[]? spaceWaiters, int idleConsumers, TaskCompletionSource? idleTask, TaskCompletionSource[]? idleTasks = null)
    {
        public void Run(WorkQueue<T> queue)
        {
            idleTask?.TrySetResult();
            if (idleTasks is not null)
            {
                foreach (TaskCompletionSource task in idleTasks)
                {
                    task.TrySetResult();
                }
            }

            if (spaceWaiters is not null)
            {
                foreach (TaskCompletionSource waiter in spaceWaiters)
                {
                    waiter.TrySetResult();
                }
            }

            if (idleConsumers > 0)
            {
                queue._itemsAvailable.Release(idleConsumers);
            }
        }
    }

    private sealed class Consumer(T[] batch, bool dedicated)
    {
        public T[] Batch { get; } = batch;

        public bool Dedicated { get; } = dedicated;

        // Sequence number of Batch[0]. Written and read only by this consumer (under _gate when written).
        public long Sequence { get; set; }

        // Thread-pool consumers only: the task this consumer awaits while idle. Written under _gate, read by the consumer.
        public TaskCompletionSource? IdleSignal { get; set; }
    }
}
