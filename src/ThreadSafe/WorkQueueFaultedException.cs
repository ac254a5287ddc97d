namespace ThreadSafe;

/// <summary>
/// The fault of a <see cref="WorkQueue{T}"/>: a handler threw while no <see cref="WorkQueueOptions{T}.OnError"/> was
/// set, <see cref="WorkQueueOptions{T}.OnError"/> itself threw, or a callback registered on the abort token threw. The
/// exception is the <see cref="Exception.InnerException"/> (an <see cref="AggregateException"/> when there were
/// several); the items whose handler threw are in <see cref="FailedItems"/>, and the accepted items that no consumer
/// had started are handed back in <see cref="Unprocessed"/>, so none is lost.
/// </summary>
/// <typeparam name="T">The type of the queue's items.</typeparam>
public sealed class WorkQueueFaultedException<T> : Exception
{
    /// <summary>Initializes a new instance with an empty <see cref="Unprocessed"/> list.</summary>
    public WorkQueueFaultedException()
        : this("The work queue faulted.", null)
    {
    }

    /// <summary>Initializes a new instance with a message and an empty <see cref="Unprocessed"/> list.</summary>
    /// <param name="message">The message.</param>
    public WorkQueueFaultedException(string message)
        : this(message, null)
    {
    }

    /// <summary>Initializes a new instance with a message, the handler's exception and an empty <see cref="Unprocessed"/> list.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception thrown by the handler.</param>
    public WorkQueueFaultedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Unprocessed = [];
    }

    /// <summary>Initializes a new instance carrying the items that failed and the items handed back.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception thrown by the handler (an <see cref="AggregateException"/> when several were).</param>
    /// <param name="failedItems">The items whose handler threw, first failure first.</param>
    /// <param name="unprocessed">The accepted items no consumer had started, in FIFO order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="failedItems"/> or <paramref name="unprocessed"/> is <see langword="null"/>.</exception>
    public WorkQueueFaultedException(string message, Exception? innerException, IReadOnlyList<T> failedItems, IReadOnlyList<T> unprocessed)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(failedItems);
        ArgumentNullException.ThrowIfNull(unprocessed);
        FailedItems = failedItems;
        Unprocessed = unprocessed;
    }

    /// <summary>
    /// Gets the item whose handler threw first (the first of <see cref="FailedItems"/>), or its default value when no
    /// handler failed (the exception was created without items, or a callback on the abort token threw).
    /// </summary>
    public T? FailedItem => FailedItems.Count > 0 ? FailedItems[0] : default;

    /// <summary>
    /// Gets every item whose handler threw before the queue stopped, first failure first. With several consumers,
    /// handlers in flight when the first one failed may fail too: none of their items is forgotten.
    /// </summary>
    public IReadOnlyList<T> FailedItems { get; } = [];

    /// <summary>Gets the accepted items that no consumer had started when the queue faulted, in FIFO order.</summary>
    public IReadOnlyList<T> Unprocessed { get; }
}
