using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ThreadSafe.Hosting;

/// <summary>
/// A <see cref="WorkQueue{T}"/> run by the host: registered by
/// <see cref="ThreadSafeHostingServiceCollectionExtensions.AddWorkQueue{T, THandler}"/> as a singleton hosted service.
/// Inject <see cref="WorkQueue{T}"/> to add items, and this class for its health.
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
/// <remarks>
/// <para>
/// Each item is handled by an <see cref="IWorkItemHandler{T}"/> resolved in a new dependency-injection scope, on the
/// thread pool (with <see cref="ThreadSafeHostingServiceCollectionExtensions.AddBatchWorkQueue{T, THandler}"/>: each
/// batch by an <see cref="IWorkBatchHandler{T}"/>, one scope per batch). A handler exception is logged and processing
/// continues (or, with
/// <see cref="HostedWorkQueueOptions{T}.StopOnHandlerError"/>, the queue faults).
/// </para>
/// <para>
/// Shutdown (<see cref="StopAsync"/>): the queue stops accepting items and drains until the host's shutdown timeout
/// (the token of <see cref="StopAsync"/>). If it has not drained by then, it is aborted: handlers see their token
/// cancelled, handlers still running after <see cref="HostedWorkQueueOptions{T}.AbortTimeout"/> are abandoned, and
/// every accepted item not handled goes to <see cref="HostedWorkQueueOptions{T}.UnprocessedItemsSink"/> and is
/// logged with a count. Shutdown takes at most the host's timeout plus the abort timeout plus the sink timeout.
/// </para>
/// </remarks>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The abandon source is cancelled at most once, at shutdown, and holds no unmanaged resource once its timer fired; a hosted service lives as long as the host.")]
public sealed class HostedWorkQueue<T> : IHostedService
{
    // A short margin after AbortTimeout for the consumers to hand back their items once handlers are abandoned.
    private static readonly TimeSpan AbortMargin = TimeSpan.FromSeconds(1);

    private readonly IServiceScopeFactory _scopes;
    // Exactly one is set: the per-item handler of AddWorkQueue, or the batch handler of AddBatchWorkQueue.
    private readonly Func<IServiceProvider, IWorkItemHandler<T>>? _resolveHandler;
    private readonly Func<IServiceProvider, IWorkBatchHandler<T>>? _resolveBatchHandler;
    private readonly Action<T, Exception>? _onHandlerError;
    private readonly Func<IReadOnlyList<T>, IServiceProvider, CancellationToken, ValueTask>? _sink;
    private readonly TimeSpan _abortTimeout;
    private readonly TimeSpan _sinkTimeout;
    private readonly double _degradedFillRatio;
    private readonly ILogger _logger;

    // Cancelled AbortTimeout after the abort: a handler still running then is no longer awaited (see HandleAsync).
    private readonly CancellationTokenSource _abandon = new();

    // Hands the unstarted items of a faulted queue to the sink; completes when the queue has stopped.
    private readonly Task _faultWatch;

    // Guards _stop. Private, so no outside code can lock on it; no user code runs while it is held.
    private readonly object _stopGate = new();

    // Guarded by _stopGate (written once, by the first StopAsync): the shutdown every StopAsync call returns. Read without
    // the lock by GetHealth with Volatile.Read: a stale null only reports a queue that just began stopping as accepting.
    private Task? _stop;

    internal HostedWorkQueue(
        HostedWorkQueueOptions<T> options,
        Func<IServiceProvider, IWorkItemHandler<T>> resolveHandler,
        IServiceScopeFactory scopes,
        ILogger<HostedWorkQueue<T>> logger)
        : this(options, resolveHandler, null, null, scopes, logger)
    {
    }

    internal HostedWorkQueue(
        HostedWorkQueueOptions<T> options,
        WorkQueueBatchOptions batching,
        Func<IServiceProvider, IWorkBatchHandler<T>> resolveBatchHandler,
        IServiceScopeFactory scopes,
        ILogger<HostedWorkQueue<T>> logger)
        : this(options, null, batching, resolveBatchHandler, scopes, logger)
    {
    }

    private HostedWorkQueue(
        HostedWorkQueueOptions<T> options,
        Func<IServiceProvider, IWorkItemHandler<T>>? resolveHandler,
        WorkQueueBatchOptions? batching,
        Func<IServiceProvider, IWorkBatchHandler<T>>? resolveBatchHandler,
        IServiceScopeFactory scopes,
        ILogger<HostedWorkQueue<T>> logger)
    {
        _scopes = scopes;
        _resolveHandler = resolveHandler;
        _resolveBatchHandler = resolveBatchHandler;
        _onHandlerError = options.OnHandlerError;
        _sink = options.UnprocessedItemsSink;
        _abortTimeout = options.AbortTimeout;
        _sinkTimeout = options.SinkTimeout;
        _degradedFillRatio = options.DegradedFillRatio;
        _logger = logger;
        var queueOptions = new WorkQueueOptions<T>
        {
            Capacity = options.Capacity,
            Consumers = options.Consumers,
            UseDedicatedThreads = false, // handlers run on the thread pool anyway (see HandleAsync)
            Name = options.Name,
            OnError = options.StopOnHandlerError ? null : OnHandlerError,
        };
        Queue = batching is null ? new WorkQueue<T>(HandleAsync, queueOptions) : new WorkQueue<T>(batching, HandleBatchAsync, queueOptions);
        _faultWatch = WatchForFaultAsync();
        HostingLog.Started(_logger, Queue.Name, Queue.Capacity, options.Consumers);
    }

    /// <summary>Gets the queue. Add items to it (or to its <see cref="WorkQueue{T}.Writer"/>); the host completes it.</summary>
    public WorkQueue<T> Queue { get; }

    /// <summary>Gets the health of the queue now: its length against its capacity, and whether it faulted or is stopping.</summary>
    /// <returns>A snapshot; it may change at once.</returns>
    public WorkQueueHealth GetHealth()
    {
        int count = Queue.Count, capacity = Queue.Capacity;
        long processed = Queue.ProcessedCount, failed = Queue.FailedCount;
        Task completion = Queue.Completion;
        if (completion.IsFaulted)
        {
            return new WorkQueueHealth(WorkQueueHealthStatus.Unhealthy, $"{Queue.Name} faulted: a handler error stopped it and it accepts no items.", count, capacity, processed, failed, faulted: true);
        }

        if (Volatile.Read(ref _stop) is not null || completion.IsCompleted)
        {
            return new WorkQueueHealth(WorkQueueHealthStatus.Unhealthy, $"{Queue.Name} is stopping or stopped and accepts no items.", count, capacity, processed, failed, faulted: false);
        }

        string fill = $"{count} of {capacity} slots used.";
        return count >= _degradedFillRatio * capacity
            ? new WorkQueueHealth(WorkQueueHealthStatus.Degraded, $"{Queue.Name} is filling up: {fill}", count, capacity, processed, failed, faulted: false)
            : new WorkQueueHealth(WorkQueueHealthStatus.Healthy, $"{Queue.Name} accepts items: {fill}", count, capacity, processed, failed, faulted: false);
    }

    /// <summary>Nothing to do: the consumers started when the host created this service.</summary>
    /// <param name="cancellationToken">Not used.</param>
    /// <returns>A completed task.</returns>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Stops accepting items, drains until <paramref name="cancellationToken"/> is cancelled (the host's shutdown
    /// timeout), then aborts and hands every accepted item not handled to the sink. Every call returns the same shutdown.
    /// </summary>
    /// <param name="cancellationToken">Cancelled by the host when its shutdown timeout has passed: the end of the drain.</param>
    /// <returns>A task that completes when the queue has stopped and the unprocessed items were handed over.</returns>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopGate)
        {
            // Task.Run: the shutdown (which logs, user code) never runs under the lock.
            return _stop ??= Task.Run(() => ShutdownAsync(cancellationToken), CancellationToken.None);
        }
    }

    private async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        HostingLog.Stopping(_logger, Queue.Name, Queue.Count);
        Task drained = Queue.CompleteAsync(CancellationToken.None); // the drain itself is not cancelled; only the wait for it below is
        bool stopped = true;
        try
        {
            await drained.WaitAsync(cancellationToken).ConfigureAwait(false);
            HostingLog.Drained(_logger, Queue.Name, Queue.ProcessedCount, Queue.FailedCount);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stopped = await AbortAsync().ConfigureAwait(false);
        }
        catch (WorkQueueFaultedException<T>)
        {
            // Faulted while draining: the fault watch logs it and hands the unstarted items over.
        }

        if (stopped)
        {
            // The queue has stopped (or is about to: the abort outcome is set just before Completion), so the fault watch
            // ends within the sink timeout. A queue whose consumers never stopped was reported by AbortAsync; waiting for
            // its fault watch would make shutdown unbounded.
            try
            {
                await _faultWatch.WaitAsync(_sinkTimeout + AbortMargin, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The sink is still running past its own timeout: HandOverAsync logs it when it gives up.
            }
        }
    }

    // Returns false if the consumers did not stop in time (the waiting items could not be taken back).
    [SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Justification = "Host shutdown is bounded by wall-clock time; this timer only abandons handlers and is not synchronization the queue relies on.")]
    private async Task<bool> AbortAsync()
    {
        HostingLog.DrainTimedOut(_logger, Queue.Name, Queue.Count);
        Task<IReadOnlyList<T>> abort = Queue.AbortAsync();
        _abandon.CancelAfter(_abortTimeout);
        IReadOnlyList<T> unprocessed;
        try
        {
            unprocessed = await abort.WaitAsync(_abortTimeout + AbortMargin).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            HostingLog.AbortTimedOut(_logger, Queue.Name, _abortTimeout + AbortMargin, Queue.Count);
            return false;
        }
        catch (WorkQueueFaultedException<T>)
        {
            return true; // it had faulted first: the fault watch hands its items over
        }

        await HandOverAsync(unprocessed, "the drain did not finish within the host's shutdown timeout").ConfigureAwait(false);
        return true;
    }

    private async Task WatchForFaultAsync()
    {
        try
        {
            await Queue.Completion.ConfigureAwait(false);
        }
        catch (WorkQueueFaultedException<T> fault)
        {
            HostingLog.Faulted(_logger, fault.InnerException ?? fault, Queue.Name);
            await HandOverAsync(fault.Unprocessed, "the queue faulted").ConfigureAwait(false);
        }
    }

    // Runs on a consumer for each item. The handler runs on the thread pool in its own scope, so that a handler that
    // blocks or never returns can be abandoned after the abort: the consumer then hands its item back (an
    // OperationCanceledException for the abort token means "not handled") and shutdown stays bounded.
    private ValueTask HandleAsync(T item, CancellationToken abortToken) =>
        new(RunAbandonableAsync(() => RunHandlerAsync(item, abortToken), item, abortToken));

    // The same for a batch, in one scope per batch. The items are copied: an abandoned handler may still read them after
    // the queue reused its array for the next batch. Abandoned, the whole batch is handed back (and goes to the sink).
    private ValueTask HandleBatchAsync(ReadOnlyMemory<T> batch, CancellationToken abortToken)
    {
        T[] items = batch.ToArray();
        return new(RunAbandonableAsync(() => RunBatchHandlerAsync(items, abortToken), $"{items.Length} item(s) from {items[0]}", abortToken));
    }

    private async Task RunAbandonableAsync(Func<Task> run, object? what, CancellationToken abortToken)
    {
        Task handling = Task.Run(run, CancellationToken.None);
        try
        {
            await handling.WaitAsync(_abandon.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested && !handling.IsCompleted)
        {
            HostingLog.HandlerAbandoned(_logger, Queue.Name, _abortTimeout, what);
            _ = handling.ContinueWith(
                static (task, state) =>
                {
                    var self = (HostedWorkQueue<T>)state!;
                    if (task.Exception is { } error)
                    {
                        HostingLog.AbandonedHandlerFailed(self._logger, error.InnerException ?? error, self.Queue.Name);
                    }
                },
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw new OperationCanceledException(abortToken);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            await handling.ConfigureAwait(false); // it finished as the abandon fired: report its own outcome
        }
    }

    private async Task RunBatchHandlerAsync(T[] items, CancellationToken cancellationToken)
    {
        AsyncServiceScope scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            IWorkBatchHandler<T> handler = _resolveBatchHandler!(scope.ServiceProvider);
            await handler.HandleAsync(items, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunHandlerAsync(T item, CancellationToken cancellationToken)
    {
        AsyncServiceScope scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            IWorkItemHandler<T> handler = _resolveHandler!(scope.ServiceProvider);
            await handler.HandleAsync(item, cancellationToken).ConfigureAwait(false);
        }
    }

    private void OnHandlerError(T item, Exception exception)
    {
        HostingLog.HandlerFailed(_logger, exception, Queue.Name, item);
        _onHandlerError?.Invoke(item, exception); // if it throws, the queue faults (WorkQueue's error rule)
    }

    [SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs", Justification = "The sink's time budget is wall-clock time by design; the timer only cancels the user's sink.")]
    private async Task HandOverAsync(IReadOnlyList<T> items, string reason)
    {
        if (items.Count == 0)
        {
            return;
        }

        HostingLog.Unprocessed(_logger, Queue.Name, items.Count, reason);
        if (_sink is null)
        {
            HostingLog.NoSink(_logger, Queue.Name, items.Count, Describe(items));
            return;
        }

        using var timeout = new CancellationTokenSource(_sinkTimeout);
        try
        {
            // On the thread pool and awaited with a timeout, so that a sink that blocks cannot hold shutdown forever.
            await Task.Run(() => RunSinkAsync(items, timeout.Token), CancellationToken.None).WaitAsync(_sinkTimeout).ConfigureAwait(false);
            HostingLog.HandedToSink(_logger, Queue.Name, items.Count);
        }
        catch (Exception ex)
        {
            HostingLog.SinkFailed(_logger, ex, Queue.Name, items.Count, Describe(items));
        }
    }

    private async Task RunSinkAsync(IReadOnlyList<T> items, CancellationToken cancellationToken)
    {
        AsyncServiceScope scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await _sink!(items, scope.ServiceProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Describe(IReadOnlyList<T> items) => string.Join(", ", items.Select(item => item?.ToString() ?? "null"));
}
