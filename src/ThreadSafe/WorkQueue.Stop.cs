using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ThreadSafe;

/// <content>Stopping <see cref="WorkQueue{T}"/>: the error rule, hand-back, the final stop and the wake-ups.</content>
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
                exception = OnErrorThrew(onErrorException, exception);
            }
        }

        Wakeups wakeups = default;
        lock (_gate)
        {
            AssertInvariants();
            (_faults ??= []).Add(exception);
            (_failedItems ??= []).Add(item);
            if (_state is Open or Completing)
            {
                _state = Faulted;
                wakeups = TakeWakeupsForStateChange();
            }
        }

        wakeups.Run(this);
    }

    // Both are kept: the reason OnError was called, and why reporting it failed.
    private AggregateException OnErrorThrew(Exception onErrorException, Exception handlerException) => new(
        $"OnError of {_name} threw while reporting a handler's exception; both are inner exceptions (OnError's first).",
        onErrorException,
        handlerException);

    // Runs the callbacks registered on the abort token (user code: never under _gate), after AbortAsync has changed the
    // state and run every wake-up, so a throwing callback can skip nothing. Its exceptions go to the outcome of the
    // abort. AbortAsync took one hold on _running so that the queue cannot stop before they are recorded.
    private void CancelAbortToken()
    {
        try
        {
            _abortCts.Cancel(); // runs every callback, then throws their exceptions together
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                AssertInvariants();
                (_abortCallbackErrors ??= []).AddRange(ex is AggregateException aggregate ? aggregate.InnerExceptions : [ex]);
            }
        }
        finally
        {
            Exit();
        }
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
            AssertInvariants();
            (_handedBack ??= []).Add((consumer.Sequence + from, items));
        }
    }

    // The last holder of _running to leave stops the queue: collects the unstarted items in FIFO order and completes
    // the tasks.
    private void Exit()
    {
        List<T> unprocessed;
        WorkQueueFaultedException<T>? fault;
        TaskCompletionSource<IReadOnlyList<T>>? abort;
        bool handBackToAbort;
        lock (_gate)
        {
            AssertInvariants();
            if (--_running > 0)
            {
                return;
            }

            int state = _state;
            _stoppedFrom = state;
            _state = Stopped;
            unprocessed = new List<T>(_ring.Count);
            if (_handedBack is not null)
            {
                _handedBack.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
                foreach ((long _, T[] items) in _handedBack)
                {
                    unprocessed.AddRange(items);
                }

                _handedBack = null;
            }

            _ring.DrainTo(unprocessed);
            Interlocked.Exchange(ref _pending, 0);
            Debug.Assert(state != Completing || unprocessed.Count == 0, "A drained queue has nothing left.");
            // The fault carries the unstarted items when nobody else returns them: after a fault, or after an abort whose
            // token callbacks threw (AbortAsync's task then faults with it). A handler that threw during a clean abort
            // faults only Completion: AbortAsync returns the items.
            bool faultCarriesItems = state == Faulted || _abortCallbackErrors is not null;
            fault = StoppedFault(state, faultCarriesItems ? unprocessed.AsReadOnly() : Array.Empty<T>());
            handBackToAbort = state == Aborting && !faultCarriesItems;
            if (faultCarriesItems)
            {
                Volatile.Write(ref _finalFault, fault);
            }

            abort = _abort;
        }

        if (unprocessed.Count > 0)
        {
            WorkQueueMetrics.Record(WorkQueueMetrics.QueueLength, -unprocessed.Count, _nameTag);
        }

        if (abort is not null)
        {
            SetAbortOutcome(abort, handBackToAbort ? unprocessed.AsReadOnly() : []);
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

    // Called with _gate held by Exit. The fault the queue stops with, if any, carrying the given unstarted items.
    private WorkQueueFaultedException<T>? StoppedFault(int state, IReadOnlyList<T> unprocessed)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "StoppedFault needs the lock.");
        if (_faults is null && _abortCallbackErrors is null)
        {
            return null;
        }

        List<Exception> all = [.. _faults ?? [], .. _abortCallbackErrors ?? []];
        Exception inner = all.Count == 1 ? all[0] : new AggregateException(all);
        IReadOnlyList<T> failedItems = _failedItems is null ? Array.Empty<T>() : _failedItems.AsReadOnly();
        string message = state switch
        {
            Faulted => $"A handler of {_name} threw ({FaultCause}): the queue stopped. " +
                $"{failedItems.Count} item(s) failed (FailedItems); the {unprocessed.Count} unstarted item(s) are in Unprocessed.",
            _ when _abortCallbackErrors is not null => $"A callback registered on the abort token of {_name} threw while " +
                $"AbortAsync cancelled it; the queue stopped. The {unprocessed.Count} unstarted item(s) are in Unprocessed.",
            _ => $"A handler of {_name} threw while the queue was being aborted; the unstarted items were handed back by AbortAsync.",
        };
        return new WorkQueueFaultedException<T>(message, inner, failedItems, unprocessed);
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
        TaskCompletionSource? gatherer = _gatherSignal; // a consumer gathering a batch must see the change too
        _gatherSignal = null;
        Wakeups wakeups;
        if (_idleTasks is null)
        {
            wakeups = new Wakeups(spaceWaiters, _idleConsumers, gatherer);
        }
        else
        {
            wakeups = new Wakeups(spaceWaiters, 0, gatherer, _idleTasks.Count == 0 ? null : [.. _idleTasks]);
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

        // Batch handlers only: the signal this consumer awaits while it gathers a batch (it is then _gatherSignal until
        // someone takes it from there to complete it). Written under _gate, read by the consumer.
        public GatherSignal? GatherSignal { get; set; }
    }
}
