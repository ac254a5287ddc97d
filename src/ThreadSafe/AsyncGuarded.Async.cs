// Every overload ends with an optional CancellationToken, the BCL convention for async APIs; the overloads
// differ in their delegate types, so adding more later cannot make an existing call ambiguous.

namespace ThreadSafe;

// The overloads taking asynchronous delegates: the lock is held across the delegate's awaits.
public sealed partial class AsyncGuarded<T>
{
    /// <summary>Waits for the lock, runs the asynchronous <paramref name="read"/> and keeps the lock until it completes.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="read">Reads the value; receives <paramref name="cancellationToken"/>. It must not keep a reference to the value.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock, and is passed to <paramref name="read"/>.</param>
    /// <returns>The result of <paramref name="read"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    public ValueTask<TResult> ReadAsync<TResult>(Func<T, CancellationToken, ValueTask<TResult>> read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        ThrowIfRecursive();
        CheckOrderBeforeAcquire();
        return cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<TResult>(cancellationToken)
            : RunAsyncDelegate(read, cancellationToken);
    }

    /// <summary>Waits for the lock, runs the asynchronous <paramref name="write"/> and keeps the lock until it completes.</summary>
    /// <param name="write">Mutates the value; receives <paramref name="cancellationToken"/>. It must not keep a reference to the value.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock, and is passed to <paramref name="write"/>.</param>
    /// <returns>A task that completes when <paramref name="write"/> has completed and the lock is released.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    public ValueTask WriteAsync(Func<T, CancellationToken, ValueTask> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        ThrowIfRecursive();
        CheckOrderBeforeAcquire();
        return cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled(cancellationToken)
            : RunAsyncDelegate(write, cancellationToken);
    }

    /// <summary>Waits for the lock, runs the asynchronous <paramref name="write"/>, keeps the lock until it completes and returns its result.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="write">Mutates the value and computes a result; receives <paramref name="cancellationToken"/>. It must not return the value itself.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock, and is passed to <paramref name="write"/>.</param>
    /// <returns>The result of <paramref name="write"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    public ValueTask<TResult> WriteAsync<TResult>(Func<T, CancellationToken, ValueTask<TResult>> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        ThrowIfRecursive();
        CheckOrderBeforeAcquire();
        return cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<TResult>(cancellationToken)
            : RunAsyncDelegate(write, cancellationToken);
    }

    /// <summary>Waits for the lock and replaces the value with the result of the asynchronous <paramref name="update"/>, keeping the lock until it completes.</summary>
    /// <param name="update">Computes the new value from the current one; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock, and is passed to <paramref name="update"/>.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    /// <remarks>If <paramref name="update"/> throws or is canceled, the value is left unchanged.</remarks>
    public ValueTask<T> UpdateAsync(Func<T, CancellationToken, ValueTask<T>> update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        ThrowIfRecursive();
        CheckOrderBeforeAcquire();
        return cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<T>(cancellationToken)
            : RunAsyncUpdate(update, cancellationToken);
    }

    private async ValueTask<TResult> RunAsyncDelegate<TResult>(Func<T, CancellationToken, ValueTask<TResult>> body, CancellationToken cancellationToken)
    {
        await AcquireAsync(cancellationToken).ConfigureAwait(false);
        object hold = EnterAsyncHold();
        try
        {
            return await body(_value, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ExitAsyncHold(hold);
            Release();
        }
    }

    private async ValueTask RunAsyncDelegate(Func<T, CancellationToken, ValueTask> body, CancellationToken cancellationToken)
    {
        await AcquireAsync(cancellationToken).ConfigureAwait(false);
        object hold = EnterAsyncHold();
        try
        {
            await body(_value, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ExitAsyncHold(hold);
            Release();
        }
    }

    private async ValueTask<T> RunAsyncUpdate(Func<T, CancellationToken, ValueTask<T>> update, CancellationToken cancellationToken)
    {
        await AcquireAsync(cancellationToken).ConfigureAwait(false);
        object hold = EnterAsyncHold();
        try
        {
            T updated = await update(_value, cancellationToken).ConfigureAwait(false);
            _value = updated;
            return updated;
        }
        finally
        {
            ExitAsyncHold(hold);
            Release();
        }
    }
}
