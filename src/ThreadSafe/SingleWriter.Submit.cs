namespace ThreadSafe;

/// <content>Submitting writes: <c>ExecuteAsync</c>, <c>Execute</c> and <c>Post</c>, and the refusal of async delegates.</content>
public sealed partial class SingleWriter<TResource>
{
    /// <summary>Queues <paramref name="write"/> and returns a task that completes with its result once it ran and its batch committed.</summary>
    /// <typeparam name="TResult">The type of the write's result.</typeparam>
    /// <param name="write">Runs on the writer thread with the resource. It must not keep a reference to the resource.</param>
    /// <param name="cancellationToken">Removes the write if it has not started (its task is cancelled and it never runs); a started write runs to completion.</param>
    /// <returns>The write's result. Faults with the write's exception, the batch's commit exception, or an
    /// <see cref="InvalidOperationException"/> if the writer is completing or could not open its resource.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="write"/> is an <see langword="async"/> lambda or method (a write must be synchronous).</exception>
    /// <remarks>Called from inside a write, the write runs inline, as part of the enclosing write. Called elsewhere on the
    /// writer thread (from <c>open</c>, a batch hook or <c>OnError</c>), it is queued and runs in a later batch.</remarks>
    public Task<TResult> ExecuteAsync<TResult>(Func<TResource, TResult> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        RefuseAsync(write, "ExecuteAsync");
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        if (IsInsideWrite)
        {
            try
            {
                return Task.FromResult(write(_resource));
            }
            catch (Exception ex)
            {
                return Task.FromException<TResult>(ex);
            }
        }

        return Enqueue(new FuncItem<TResult>(this, write), cancellationToken);
    }

    /// <summary>Queues <paramref name="write"/> and returns a task that completes once it ran and its batch committed.</summary>
    /// <param name="write">Runs on the writer thread with the resource. It must not keep a reference to the resource.</param>
    /// <param name="cancellationToken">Removes the write if it has not started (its task is cancelled and it never runs); a started write runs to completion.</param>
    /// <returns>A task that faults with the write's exception, the batch's commit exception, or an
    /// <see cref="InvalidOperationException"/> if the writer is completing or could not open its resource.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="write"/> is an <see langword="async"/> lambda or method (a write must be synchronous).</exception>
    /// <remarks>Called from inside a write, the write runs inline, as part of the enclosing write. Called elsewhere on the
    /// writer thread (from <c>open</c>, a batch hook or <c>OnError</c>), it is queued and runs in a later batch.</remarks>
    public Task ExecuteAsync(Action<TResource> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        RefuseAsyncAction(write, "ExecuteAsync");
        return ExecuteAsync(
            r =>
            {
                write(r);
                return true;
            },
            cancellationToken);
    }

    /// <summary>Queues <paramref name="write"/>, blocks until it ran and its batch committed, and returns its result.</summary>
    /// <typeparam name="TResult">The type of the write's result.</typeparam>
    /// <param name="write">Runs on the writer thread with the resource. It must not keep a reference to the resource.</param>
    /// <param name="cancellationToken">Removes the write if it has not started (its task is cancelled and it never runs).</param>
    /// <returns>The write's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="write"/> is an <see langword="async"/> lambda or method (a write must be synchronous).</exception>
    /// <exception cref="InvalidOperationException">The writer is completing, or could not open its resource (inner exception: the original error).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled before the write started.</exception>
    /// <remarks>Called from inside a write, the write runs inline. Any exception of the write or of the commit is rethrown.
    /// Elsewhere on the writer thread (<c>open</c>, a batch hook, <c>OnError</c>) it throws <see cref="InvalidOperationException"/>:
    /// it would wait for its own thread.</remarks>
    public TResult Execute<TResult>(Func<TResource, TResult> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        RefuseAsync(write, "Execute");
        cancellationToken.ThrowIfCancellationRequested();
        if (IsInsideWrite)
        {
            return write(_resource);
        }

        if (IsWriterThread)
        {
            throw new InvalidOperationException(
                $"{this}: Execute was called on the writer thread outside a write (from open, a batch hook, OnError or the " +
                "resource's Dispose); it would wait for the writer thread itself. Use ExecuteAsync or Post there: they queue the write.");
        }

        return Enqueue(new FuncItem<TResult>(this, write), cancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>Queues <paramref name="write"/> without waiting for it (fire and forget); blocks only while the queue is full.</summary>
    /// <param name="write">Runs on the writer thread with the resource. Its exception, or its batch's commit exception, goes to
    /// <see cref="SingleWriterOptions{TResource}.OnError"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="write"/> is an <see langword="async"/> lambda or method (a write must be synchronous).</exception>
    /// <exception cref="InvalidOperationException">The writer is completing, or could not open its resource (inner exception: the original error).</exception>
    /// <remarks>Called from inside a write, the write runs inline. Elsewhere on the writer thread (<c>open</c>, a batch hook,
    /// <c>OnError</c>) it is queued without blocking, even when the queue is full, and runs in a later batch.</remarks>
    public void Post(Action<TResource> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        RefuseAsyncAction(write, "Post");
        if (IsInsideWrite)
        {
            try
            {
                write(_resource);
            }
            catch (Exception ex)
            {
                ReportError(ex);
            }

            return;
        }

        Exception? rejection = TryEnqueue(new PostItem(this, write));
        if (rejection is not null)
        {
            throw rejection;
        }
    }

    /// <summary>Queues <paramref name="write"/>, which receives a token, and returns a task that completes with its result once it ran and its batch committed.</summary>
    /// <typeparam name="TResult">The type of the write's result.</typeparam>
    /// <param name="write">Runs on the writer thread with the resource and a token that is cancelled when
    /// <paramref name="cancellationToken"/> is, or when the writer is aborted (<see cref="CompleteAsync(CancellationToken)"/>
    /// cancelled). A write that stops on it by throwing <see cref="OperationCanceledException"/> is rolled back alone
    /// (<see cref="SingleWriterOptions{TResource}.RollbackWrite"/>) and its task is cancelled.</param>
    /// <param name="cancellationToken">Removes the write if it has not started; tells a started write to stop.</param>
    /// <returns>The write's result; see <see cref="ExecuteAsync{TResult}(Func{TResource, TResult}, CancellationToken)"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="write"/> is an <see langword="async"/> lambda or method (a write must be synchronous).</exception>
    public Task<TResult> ExecuteAsync<TResult>(Func<TResource, CancellationToken, TResult> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (TaskLike<TResult>.Value && AsyncDelegates.IsAsync(write))
        {
            throw AsyncDelegates.Refused(nameof(write), $"{TypeNames.Format(typeof(SingleWriter<TResource>))}.ExecuteAsync", "a synchronous write; do asynchronous work before submitting, then submit its result");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        // The write's token: the caller's or the writer's abort. Disposed once the caller was acknowledged.
        CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
        CancellationToken token = linked.Token;
        Task<TResult> task = ExecuteAsync(r => write(r, token), cancellationToken);
        _ = task.ContinueWith(static (_, state) => ((CancellationTokenSource)state!).Dispose(), linked, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    /// <summary>Queues <paramref name="write"/>, which receives a token, and returns a task that completes once it ran and its batch committed.</summary>
    /// <param name="write">Runs on the writer thread with the resource and a token cancelled when <paramref name="cancellationToken"/>
    /// is or the writer is aborted; see <see cref="ExecuteAsync{TResult}(Func{TResource, CancellationToken, TResult}, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">Removes the write if it has not started; tells a started write to stop.</param>
    /// <returns>A task that completes once the write ran and its batch committed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="write"/> is an <see langword="async"/> lambda or method (a write must be synchronous).</exception>
    public Task ExecuteAsync(Action<TResource, CancellationToken> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (AsyncDelegates.IsAsync(write))
        {
            throw AsyncDelegates.Refused(nameof(write), $"{TypeNames.Format(typeof(SingleWriter<TResource>))}.ExecuteAsync", "a synchronous write (an async lambda here would be async void)");
        }

        return ExecuteAsync(
            (r, token) =>
            {
                write(r, token);
                return true;
            },
            cancellationToken);
    }

    // Refuses an async lambda bound to a Func: its task would be the write's "result" while its body goes on using the
    // resource after the commit. Only a task-valued TResult can hold one, and that is known per type, so other writes
    // pay nothing. A non-async delegate returning a stored task is data, and is accepted.
    private static void RefuseAsync<TResult>(Func<TResource, TResult> write, string member)
    {
        if (TaskLike<TResult>.Value && AsyncDelegates.IsAsync(write))
        {
            throw AsyncDelegates.Refused(
                nameof(write),
                $"{TypeNames.Format(typeof(SingleWriter<TResource>))}.{member}",
                "a synchronous write (the writer thread owns the resource only while the write runs); do asynchronous work before submitting, then submit its result");
        }
    }

    // Refuses an async lambda bound to an Action: it would become async void. Checked once per delegate instance: the
    // last accepted one is remembered, so a cached (static) lambda is checked only once.
    private void RefuseAsyncAction(Action<TResource> write, string member)
    {
        if (ReferenceEquals(write, Volatile.Read(ref _lastSyncAction)))
        {
            return;
        }

        if (AsyncDelegates.IsAsync(write))
        {
            throw AsyncDelegates.Refused(
                nameof(write),
                $"{TypeNames.Format(typeof(SingleWriter<TResource>))}.{member}",
                "a synchronous write (an async lambda here would be async void and run after its write was acknowledged)");
        }

        Volatile.Write(ref _lastSyncAction, write);
    }

    private static class TaskLike<TResult>
    {
        public static readonly bool Value = AsyncDelegates.IsTaskLike(typeof(TResult));
    }
}
