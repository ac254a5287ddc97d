using System.Runtime.CompilerServices;

namespace ThreadSafe;

/// <content>Running a batch handler: the batch leaves the waiting count, the handler runs under the queue's abort token, and a failure follows the error rule for every item of the batch.</content>
public sealed partial class WorkQueue<T>
{
    private async Task RunHandlerBatchAsync(Consumer consumer, int n)
    {
        if (Volatile.Read(ref _state) >= Aborting)
        {
            HandBack(consumer, 0, n);
            return;
        }

        StartHandlerBatch(n);
        var items = new ReadOnlyMemory<T>(consumer.Batch, 0, n);
        CancellationToken abortToken = _abortCts.Token;
        try
        {
            ValueTask pending = BlockIfDedicated(StartMarked(_batchHandler!, items, abortToken), consumer);
            await pending.ConfigureAwait(false);

            Flush(n, 0);
        }
        catch (OperationCanceledException) when (abortToken.IsCancellationRequested)
        {
            // The handler stopped because the queue is aborting: no item of the batch counts as handled, so all of them
            // are handed back first. They count as waiting again until the queue stops (Exit subtracts them).
            WorkQueueMetrics.Record(WorkQueueMetrics.QueueLength, n, _nameTag);
            HandBack(consumer, 0, n);
            return;
        }
        catch (Exception ex)
        {
            Flush(0, n);
            OnBatchHandlerError(consumer.Batch.AsSpan(0, n), ex);
        }

        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(consumer.Batch, 0, n);
        }
    }

    // The batch's items leave the waiting count together when its handler starts, which frees n slots: with a wake
    // threshold of 1 up to n waiting producers are woken, one per slot (FIFO); with a larger one all of them, as when a
    // per-item consumer starts the last item of its batch.
    private void StartHandlerBatch(int n)
    {
        Interlocked.Add(ref _pending, -n); // full fence before reading _spaceWaiterCount (see the field)
        if (Volatile.Read(ref _spaceWaiterCount) > 0)
        {
            WakeSpaceWaiters(_wakeThreshold == 1 ? n : int.MaxValue);
        }

        WorkQueueMetrics.Record(WorkQueueMetrics.QueueLength, -n, _nameTag);
    }

    // Wakes up to `slots` waiting producers, longest-waiting first; a waiter whose token fired first passes its wake-up on
    // (see WakeOneSpaceWaiter).
    private void WakeSpaceWaiters(int slots)
    {
        while (slots > 0)
        {
            TaskCompletionSource[] waiters;
            lock (_gate)
            {
                AssertInvariants();
                int count = Math.Min(slots, _spaceWaiters.Count);
                if (count == 0)
                {
                    return;
                }

                waiters = [.. _spaceWaiters.GetRange(0, count)];
                _spaceWaiters.RemoveRange(0, count);
                Interlocked.Add(ref _spaceWaiterCount, -count);
            }

            foreach (TaskCompletionSource waiter in waiters)
            {
                if (waiter.TrySetResult()) // outside _gate: a task is never completed under the lock
                {
                    slots--;
                }
            }
        }
    }

    // The error rule, for every item of a batch whose handler threw. Runs outside _gate. OnError is called once per item
    // with the same exception; if it throws, the queue faults and that item and the rest of the batch are the failed
    // items (those OnError had already taken are reported). Without OnError, every item of the batch failed.
    private void OnBatchHandlerError(ReadOnlySpan<T> items, Exception exception)
    {
        int reported = 0;
        if (_onError is not null)
        {
            for (; reported < items.Length; reported++)
            {
                try
                {
                    _onError(items[reported], exception);
                }
                catch (Exception onErrorException)
                {
                    exception = OnErrorThrew(onErrorException, exception);
                    break;
                }
            }

            if (reported == items.Length)
            {
                return;
            }
        }

        Wakeups wakeups = default;
        lock (_gate)
        {
            AssertInvariants();
            (_faults ??= []).Add(exception);
            (_failedItems ??= []).AddRange(items[reported..]);
            if (_state is Open or Completing)
            {
                _state = Faulted;
                wakeups = TakeWakeupsForStateChange();
            }
        }

        wakeups.Run(this);
    }
}
