namespace ThreadSafe.Hosting;

/// <summary>
/// Handles the items of a hosted <see cref="WorkQueue{T}"/> registered with
/// <see cref="ThreadSafeHostingServiceCollectionExtensions.AddWorkQueue{T, THandler}"/>. An instance is resolved from
/// dependency injection in a new scope for every item, so it may depend on scoped services (a DbContext, for example).
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
public interface IWorkItemHandler<in T>
{
    /// <summary>Handles one item.</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">
    /// Cancelled when the host's shutdown timeout has passed and the queue is aborted. A handler that stops by throwing an
    /// <see cref="OperationCanceledException"/> for this token has not handled its item: the item goes to the sink.
    /// </param>
    /// <returns>A task that completes when the item has been handled. A synchronous handler returns <c>default</c>.</returns>
    ValueTask HandleAsync(T item, CancellationToken cancellationToken);
}
