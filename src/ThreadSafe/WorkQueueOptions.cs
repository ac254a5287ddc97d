namespace ThreadSafe;

/// <summary>Configuration of a <see cref="WorkQueue{T}"/>. Every property has a sensible default.</summary>
/// <typeparam name="T">The type of the items, so that <see cref="OnError"/> receives the item that failed.</typeparam>
public sealed class WorkQueueOptions<T>
{
    private readonly int _capacity = 1024;
    private readonly int _consumers = 1;
    private readonly int _producerWakeThreshold = 1;
    private readonly Action<T, Exception>? _onError;

    /// <summary>
    /// Gets the most items that may wait in the queue: accepted and not yet started by a consumer. Items a consumer is
    /// already handling do not count. Default 1024. When the queue is full, <see cref="WorkQueue{T}.Add"/> blocks,
    /// <see cref="WorkQueue{T}.AddAsync"/> waits and <see cref="WorkQueue{T}.TryAdd"/> returns <see langword="false"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to zero or less.</exception>
    public int Capacity
    {
        get => _capacity;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(Capacity));
            _capacity = value;
        }
    }

    /// <summary>The largest <see cref="Consumers"/> accepted: each consumer is a thread or a task that lives as long as the queue.</summary>
    internal const int MaxConsumers = 1024;

    /// <summary>
    /// Gets the number of consumers that run the handler concurrently, from 1 to 1024. Default 1 (items are then handled
    /// in FIFO order).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to zero or less, or to more than 1024.</exception>
    public int Consumers
    {
        get => _consumers;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(Consumers));
            if (value > MaxConsumers)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(Consumers),
                    value,
                    $"Consumers must be at most {MaxConsumers}: each consumer is a thread (or a task) that lives as long as the queue. Got {value}.");
            }

            _consumers = value;
        }
    }

    /// <summary>
    /// Gets the number of free slots at which producers blocked on a full queue are woken. Default 1: a blocked
    /// producer is woken as soon as one slot is free, so <see cref="WorkQueue{T}.Add"/> blocks only while the queue is
    /// full.
    /// </summary>
    /// <remarks>
    /// <para>
    /// With 1, each item a consumer starts frees one slot and wakes one blocked producer, the one that has waited
    /// longest. This is the safe choice: a handler may wait for an item that a blocked producer is about to add.
    /// </para>
    /// <para>
    /// A value greater than 1 (clamped to <see cref="Capacity"/>) batches the wake-ups for throughput: blocked
    /// producers are all woken together when at least that many slots are free, or when a consumer starts the last
    /// item of the batch it took (up to 64 items). Until then a producer stays blocked although the queue is no longer
    /// full. Liveness trade-off: a handler that waits for an item that a blocked producer has yet to add can then wait
    /// forever, because its consumer never reaches the end of its batch and the threshold may never be reached. Use a
    /// value greater than 1 only when handlers never wait for producers.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">Set to zero or less.</exception>
    public int ProducerWakeThreshold
    {
        get => _producerWakeThreshold;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, nameof(ProducerWakeThreshold));
            _producerWakeThreshold = value;
        }
    }

    /// <summary>
    /// Gets a value indicating whether each consumer runs on its own dedicated, named background thread
    /// (<see langword="true"/>, the default) or as a task on the thread pool (<see langword="false"/>).
    /// </summary>
    /// <remarks>
    /// Dedicated threads are the default because a typical handler does blocking work (writing a file, calling a
    /// database): on its own thread it never starves the thread pool, and it shows up by name in a debugger. With an
    /// asynchronous handler a dedicated thread blocks while the handler's task is incomplete; choose the thread pool
    /// for handlers that mostly await. The threads are background threads: complete the queue
    /// (<see cref="WorkQueue{T}.CompleteAsync()"/> or <c>await using</c>) before the process exits, or the items not yet
    /// handled are lost with the process.
    /// </remarks>
    public bool UseDedicatedThreads { get; init; } = true;

    /// <summary>
    /// Gets the handler for exceptions thrown by the item handler. When set, it is called with the item and the
    /// exception, and processing continues. When <see langword="null"/> (the default), the first exception faults the
    /// queue: see <see cref="WorkQueueFaultedException{T}"/>.
    /// </summary>
    /// <remarks>If this handler itself throws, the queue faults with that exception.</remarks>
    /// <exception cref="ArgumentException">Set to an <see langword="async"/> lambda or method: it would be <see langword="async"/> <see langword="void"/>, running on after the queue moved on.</exception>
    public Action<T, Exception>? OnError
    {
        get => _onError;
        init
        {
            if (value is not null && AsyncDelegates.IsAsync(value))
            {
                throw AsyncDelegates.Refused(
                    nameof(OnError),
                    $"{TypeNames.Format(typeof(WorkQueueOptions<T>))}.OnError",
                    "a synchronous OnError; to report asynchronously, hand the item and exception to another queue from it");
            }

            _onError = value;
        }
    }

    /// <summary>Gets the name used for the consumer threads and as the <c>threadsafe.name</c> tag of the metrics. Default: the C# name of the queue type, e.g. <c>WorkQueue&lt;int&gt;</c>.</summary>
    public string? Name { get; init; }
}
