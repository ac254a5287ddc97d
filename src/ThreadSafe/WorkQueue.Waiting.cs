namespace ThreadSafe;

/// <content>Bounded waits on <see cref="WorkQueue{T}"/> and the detection of waits from its own handlers.</content>
public sealed partial class WorkQueue<T>
{
    // The queue whose handler the current thread is running, if any: set by a consumer around its synchronous handler
    // calls (for asynchronous handlers, up to the handler's first await, since after it the handler may continue on any
    // thread). Thread-static, not AsyncLocal: work a handler hands to another thread (Task.Run) is not a consumer, and
    // must not be refused.
    [ThreadStatic]
    private static WorkQueue<T>? t_handlerOf;

    private bool IsHandlerOfThisQueue => ReferenceEquals(t_handlerOf, this);

    // Waits for the task or for the token, whichever comes first. Cancelling stops the wait, never the work.
    private static async Task WaitOrCancel(Task task, CancellationToken cancellationToken)
    {
        if (!task.IsCompleted && cancellationToken.CanBeCanceled)
        {
            var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(
                static (state, token) => ((TaskCompletionSource)state!).TrySetCanceled(token), cancelled);
            try
            {
                await (await Task.WhenAny(new[] { task, cancelled.Task }).ConfigureAwait(false)).ConfigureAwait(false);
            }
            finally
            {
                registration.Unregister(); // not Dispose, which could wait for the callback (see Add)
            }
        }

        await task.ConfigureAwait(false);
    }

    private static async Task<TResult> WaitOrCancel<TResult>(Task<TResult> task, CancellationToken cancellationToken)
    {
        await WaitOrCancel((Task)task, cancellationToken).ConfigureAwait(false);
        return await task.ConfigureAwait(false);
    }
}
