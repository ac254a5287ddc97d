using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ThreadSafe;

/// <summary>Stopping <see cref="WorkQueue{T}"/>: the error rule, hand-back, the final stop and the wake-ups.</summary>
public sealed partial class WorkQueue<T>
{
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
