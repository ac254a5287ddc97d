namespace ThreadSafe.Tests.Coyote;

/// <summary>
/// Deliberately broken, test-only copy of <see cref="AsyncGuarded{T}"/>'s waiter queue: cancelling a
/// waiter completes its task but leaves it in the queue, so a later release hands the lock to a waiter
/// that is gone and the lock leaks. Coyote must catch this (a final acquire never completes).
/// </summary>
internal sealed class LeakyAsyncLock
{
    // Guards _held and _queue.
    private readonly object _gate = new();
    private readonly LinkedList<TaskCompletionSource> _queue = new();
    private bool _held;

    public Task AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (!_held)
            {
                _held = true;
                return Task.CompletedTask;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _queue.AddLast(waiter);
        }

        // BUG: the cancelled waiter is not removed from the queue.
        cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
        return waiter.Task;
    }

    public void Release()
    {
        TaskCompletionSource? next = null;
        lock (_gate)
        {
            if (_queue.First is { } first)
            {
                next = first.Value;
                _queue.RemoveFirst();
            }
            else
            {
                _held = false;
            }
        }

        next?.TrySetResult(); // a no-op on a cancelled waiter: nobody will ever release
    }
}
