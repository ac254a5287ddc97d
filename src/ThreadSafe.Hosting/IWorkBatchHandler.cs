namespace ThreadSafe.Hosting;

/// <summary>
/// Handles the items of a hosted <see cref="WorkQueue{T}"/> registered with
/// <see cref="ThreadSafeHostingServiceCollectionExtensions.AddBatchWorkQueue{T, THandler}"/> a batch at a time. An
/// instance is resolved from dependency injection in a new scope for every batch, so it may depend on scoped services
/// (one DbContext and one transaction per batch, for example).
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
public interface IWorkBatchHandler<T>
{
    /// <summary>Handles one batch.</summary>
    /// <param name="batch">
    /// Up to <see cref="WorkQueueBatchOptions.MaxBatchSize"/> items in FIFO order. The host copies them for each call, so
    /// the memory stays valid after the call (a handler abandoned at shutdown may still be reading it).
    /// </param>
    /// <param name="cancellationToken">
    /// Cancelled when the host's shutdown timeout has passed and the queue is aborted. A handler that stops by throwing an
    /// <see cref="OperationCanceledException"/> for this token has handled none of the batch: every item goes to the sink.
    /// </param>
    /// <returns>A task that completes when the batch has been handled. A synchronous handler returns <c>default</c>.</returns>
    ValueTask HandleAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken);
}
