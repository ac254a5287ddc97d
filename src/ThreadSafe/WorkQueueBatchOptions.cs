namespace ThreadSafe;

/// <summary>
/// How a <see cref="WorkQueue{T}"/> with a batch handler gathers its batches: at most <see cref="MaxBatchSize"/> items,
/// and no item held back longer than <see cref="MaxBatchDelay"/> waiting for others. Every property has a default.
/// </summary>
/// <remarks>
/// Passed to the batch constructors of <see cref="WorkQueue{T}"/>, next to the <see cref="WorkQueueOptions{T}"/> that
/// every queue takes (capacity, consumers, error handler, name).
/// </remarks>
public sealed class WorkQueueBatchOptions
{
    /// <summary>The largest <see cref="MaxBatchSize"/> accepted.</summary>
    internal const int MaxBatchSizeLimit = 65_536;

    private readonly int _maxBatchSize = 64;
    private readonly TimeSpan _maxBatchDelay = TimeSpan.Zero;

    /// <summary>
    /// Gets the most items handed to one call of the batch handler, from 1 to 65536. Default 64. It is clamped to
    /// <see cref="WorkQueueOptions{T}.Capacity"/>: items being gathered still count as waiting, so a batch never holds
    /// more than the queue does.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to zero or less, or to more than 65536.</exception>
    public int MaxBatchSize
    {
        get => _maxBatchSize;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(MaxBatchSize));
            if (value > MaxBatchSizeLimit)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(MaxBatchSize),
                    value,
                    $"MaxBatchSize must be at most {MaxBatchSizeLimit}: each consumer keeps an array of that many items. Got {value}.");
            }

            _maxBatchSize = value;
        }
    }

    /// <summary>
    /// Gets the longest time the oldest waiting item is held back so that more items can join its batch. Default
    /// <see cref="TimeSpan.Zero"/>: a consumer takes whatever is waiting (up to <see cref="MaxBatchSize"/>) at once.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A deadline, never a debounce: it counts from the arrival of the oldest item of the batch, and items that arrive
    /// later do not push it back. A steady trickle of items therefore never waits longer than this. A batch is handed to
    /// the handler as soon as it is full (<see cref="MaxBatchSize"/>), when the deadline passes, or when
    /// <see cref="WorkQueue{T}.CompleteAsync()"/> is called (the partial batch is flushed).
    /// </para>
    /// <para>
    /// Items left waiting after a full batch was taken keep the deadline of the earlier oldest item: they may be handed
    /// over earlier than needed, never later. The delay is a <see cref="Task.Delay(TimeSpan, CancellationToken)"/>, so
    /// its precision is the system timer's (about a millisecond) and it needs no thread while it runs.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value (including <see cref="Timeout.InfiniteTimeSpan"/>) or to more than <see cref="int.MaxValue"/> milliseconds.</exception>
    public TimeSpan MaxBatchDelay
    {
        get => _maxBatchDelay;
        init
        {
            if (value < TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(MaxBatchDelay),
                    value,
                    $"MaxBatchDelay must be zero or positive and at most int.MaxValue milliseconds (an item is never held back for ever). Got {value}.");
            }

            _maxBatchDelay = value;
        }
    }

    // Test seams, so that the oldest-item deadline can be checked against a clock the test controls: the timestamp source
    // (Stopwatch ticks) and the delay. Production code always uses Stopwatch.GetTimestamp and Task.Delay.
    internal Func<long>? Timestamp { get; init; }

    internal Func<TimeSpan, CancellationToken, Task>? Delay { get; init; }
}
