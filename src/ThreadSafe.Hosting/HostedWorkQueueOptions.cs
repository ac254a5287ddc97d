namespace ThreadSafe.Hosting;

/// <summary>Settings of a hosted <see cref="WorkQueue{T}"/>; see <see cref="ThreadSafeHostingServiceCollectionExtensions.AddWorkQueue{T, THandler}"/>.</summary>
/// <typeparam name="T">The type of the items.</typeparam>
public sealed class HostedWorkQueueOptions<T>
{
    private int _capacity = 1024;
    private int _consumers = 1;
    private TimeSpan _abortTimeout = TimeSpan.FromSeconds(5);
    private TimeSpan _sinkTimeout = TimeSpan.FromSeconds(30);
    private double _degradedFillRatio = 0.8;

    /// <summary>Gets or sets the name of the queue, used in log messages and metrics. Defaults to <c>WorkQueue&lt;T&gt;</c>.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the most items that may wait in the queue (<see cref="WorkQueueOptions{T}.Capacity"/>). Defaults to 1024.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Capacity
    {
        get => _capacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Capacity));
            _capacity = value;
        }
    }

    /// <summary>Gets or sets the number of items handled concurrently (<see cref="WorkQueueOptions{T}.Consumers"/>). Defaults to 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Consumers
    {
        get => _consumers;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Consumers));
            _consumers = value;
        }
    }

    /// <summary>
    /// Gets or sets a value indicating whether the first handler exception stops the queue (<see langword="true"/>), or
    /// is logged and processing continues (<see langword="false"/>, the default).
    /// </summary>
    /// <remarks>
    /// When the queue stops, it is faulted: it accepts no more items, every unstarted item goes to
    /// <see cref="UnprocessedItemsSink"/>, and the health is <see cref="WorkQueueHealthStatus.Unhealthy"/>.
    /// </remarks>
    public bool StopOnHandlerError { get; set; }

    /// <summary>
    /// Gets or sets a callback for handler exceptions, called after the exception was logged (unless
    /// <see cref="StopOnHandlerError"/> is set, which stops the queue instead). If it throws, the queue faults.
    /// </summary>
    public Action<T, Exception>? OnHandlerError { get; set; }

    /// <summary>
    /// Gets or sets where accepted items that were not handled go: the items still waiting when the drain ran out of
    /// time at shutdown (the queue is then aborted), the item of a handler abandoned after <see cref="AbortTimeout"/>,
    /// and the unstarted items of a faulted queue. Persist them (a file, a table) to process them later.
    /// </summary>
    /// <remarks>
    /// Called with the items in acceptance order, the service provider of a new scope (to reach a database context, for
    /// example) and a token cancelled after <see cref="SinkTimeout"/>. The count is
    /// always logged. Without a sink, or if the sink throws or does not return in time, the items are logged at
    /// Critical level with their count and their text: nothing accepted disappears silently.
    /// </remarks>
    public Func<IReadOnlyList<T>, IServiceProvider, CancellationToken, ValueTask>? UnprocessedItemsSink { get; set; }

    /// <summary>
    /// Gets or sets how long, once the host's shutdown timeout has passed and the queue was aborted, handlers still
    /// running get to return. A handler that has not returned by then is abandoned (left running, no longer awaited) and
    /// its item goes to the sink, so shutdown stays bounded even if a handler never returns. Defaults to 5 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or infinite.</exception>
    public TimeSpan AbortTimeout
    {
        get => _abortTimeout;
        set
        {
            ThrowIfNotFinite(value, nameof(AbortTimeout));
            _abortTimeout = value;
        }
    }

    /// <summary>Gets or sets how long the sink may take; its token is cancelled then and shutdown goes on. Defaults to 30 seconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or infinite.</exception>
    public TimeSpan SinkTimeout
    {
        get => _sinkTimeout;
        set
        {
            ThrowIfNotFinite(value, nameof(SinkTimeout));
            _sinkTimeout = value;
        }
    }

    /// <summary>
    /// Gets or sets the fill ratio (items waiting divided by capacity) from which the health is
    /// <see cref="WorkQueueHealthStatus.Degraded"/>. Defaults to 0.8.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not greater than 0 and at most 1.</exception>
    public double DegradedFillRatio
    {
        get => _degradedFillRatio;
        set
        {
            if (!(value > 0 && value <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(DegradedFillRatio), value, "The ratio must be greater than 0 and at most 1.");
            }

            _degradedFillRatio = value;
        }
    }

    private static void ThrowIfNotFinite(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero || value == Timeout.InfiniteTimeSpan || value.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, value, "The timeout must be zero or positive and finite (at most int.MaxValue milliseconds): shutdown must stay bounded.");
        }
    }
}
