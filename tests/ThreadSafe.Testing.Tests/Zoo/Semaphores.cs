namespace ThreadSafe.Testing.Tests.Zoo;

/// <summary>An async semaphore with a FIFO of waiters. A cancelled wait must give up its place in the queue.</summary>
public sealed class AsyncSemaphore(bool removeCancelledWaiter)
{
    // Guards _count and _waiters.
    private readonly object _gate = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _count;

    public bool TryAcquire()
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                return false;
            }

            _count--;
            return true;
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        LinkedListNode<TaskCompletionSource> node;
        lock (_gate)
        {
            if (_count > 0)
            {
                _count--;
                return Task.CompletedTask;
            }

            node = _waiters.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        cancellationToken.Register(() => Cancel(node));
        return node.Value.Task;
    }

    public void Release()
    {
        TaskCompletionSource? next = null;
        lock (_gate)
        {
            if (_waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                next = first.Value;
            }
            else
            {
                _count++;
            }
        }

        // Broken variant: the cancelled waiter is still queued, TrySetResult fails and the permit is lost.
        next?.TrySetResult();
    }

    /// <summary>A wait that is cancelled right away: "acquired" if it got a permit first, else "cancelled".</summary>
    public string WaitThenCancel()
    {
        using var cts = new CancellationTokenSource();
        Task wait = WaitAsync(cts.Token);
        cts.Cancel();
        try
        {
            wait.Wait();
            return "acquired";
        }
        catch (AggregateException ex) when (ex.InnerException is OperationCanceledException)
        {
            return "cancelled";
        }
    }

    private void Cancel(LinkedListNode<TaskCompletionSource> node)
    {
        if (!removeCancelledWaiter)
        {
            // Broken: the waiter leaks in the queue.
            node.Value.TrySetCanceled();
            return;
        }

        bool removed = false;
        lock (_gate)
        {
            if (node.List is not null)
            {
                _waiters.Remove(node);
                removed = true;
            }
        }

        // Not removed: Release already dequeued it and hands it the permit.
        if (removed)
        {
            node.Value.TrySetCanceled();
        }
    }
}
