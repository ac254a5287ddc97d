namespace ThreadSafe;

/// <summary>
/// The fault of a <see cref="WorkQueue{T}"/> whose handler threw while no <see cref="WorkQueueOptions{T}.OnError"/>
/// was set. The handler's exception is the <see cref="Exception.InnerException"/>; the accepted items that no consumer
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

    /// <summary>Initializes a new instance carrying the item that failed and the items handed back.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception thrown by the handler.</param>
    /// <param name="failedItem">The item whose handler threw.</param>
    /// <param name="unprocessed">The accepted items no consumer had started, in FIFO order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="unprocessed"/> is <see langword="null"/>.</exception>
    public WorkQueueFaultedException(string message, Exception? innerException, T failedItem, IReadOnlyList<T> unprocessed)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(unprocessed);
        FailedItem = failedItem;
        Unprocessed = unprocessed;
    }

    /// <summary>Gets the item whose handler threw first (its default value when the exception was created without one).</summary>
    public T? FailedItem { get; }

    /// <summary>Gets the accepted items that no consumer had started when the queue faulted, in FIFO order.</summary>
    public IReadOnlyList<T> Unprocessed { get; }
}
