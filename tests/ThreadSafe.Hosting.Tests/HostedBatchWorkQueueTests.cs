using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ThreadSafe.Hosting.Tests;

/// <summary>A hosted <see cref="WorkQueue{T}"/> with a batch handler (AddBatchWorkQueue) in a real host: scopes per batch, drain, abort to the sink.</summary>
public sealed class HostedBatchWorkQueueTests
{
    private static readonly TimeSpan Limit = Probe.Limit;

    /// <summary>The sizes of the batches handled, in order.</summary>
    public sealed class BatchSizes
    {
        public ConcurrentQueue<int> Sizes { get; } = new();
    }

    /// <summary>The batch handler under test: runs the probe's behavior on the first item, then records the batch.</summary>
    public sealed class ProbeBatchHandler(Probe probe, BatchSizes sizes, ScopedThing scoped) : IWorkBatchHandler<int>
    {
        public async ValueTask HandleAsync(ReadOnlyMemory<int> batch, CancellationToken cancellationToken)
        {
            probe.ScopeIds.Enqueue(scoped.Id);
            await probe.Behavior(batch.Span[0], cancellationToken);
            sizes.Sizes.Enqueue(batch.Length);
            foreach (int item in batch.ToArray())
            {
                probe.Handled.Enqueue(item);
            }
        }
    }

    private static IHost BuildHost(Probe probe, BatchSizes sizes, WorkQueueBatchOptions batching, TimeSpan? shutdownTimeout = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(probe);
        builder.Services.AddSingleton(sizes);
        builder.Services.AddScoped<ScopedThing>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout ?? Limit);
        builder.Services.AddBatchWorkQueue<int, ProbeBatchHandler>(batching, options =>
        {
            options.AbortTimeout = Limit;
            options.UnprocessedItemsSink = (items, _, _) =>
            {
                probe.Sunk.Enqueue(items);
                return default;
            };
        });
        return builder.Build();
    }

    [Fact]
    public async Task StartThenStop_HandlesEveryItemInBatches_EachInItsOwnScope_AndFlushesThePartialBatch()
    {
        var probe = new Probe();
        var sizes = new BatchSizes();
        using IHost host = BuildHost(probe, sizes, new WorkQueueBatchOptions { MaxBatchSize = 8, MaxBatchDelay = TimeSpan.FromHours(1) });
        await host.StartAsync().WaitAsync(Limit);
        WorkQueue<int> queue = host.Services.GetRequiredService<WorkQueue<int>>();
        Assert.Same(host.Services.GetRequiredService<HostedWorkQueue<int>>().Queue, queue);
        for (int i = 0; i < 20; i++)
        {
            await queue.AddAsync(i).AsTask().WaitAsync(Limit);
        }

        await host.StopAsync().WaitAsync(Limit); // the last 4 items go out when the drain starts, not after an hour

        Assert.Equal(Enumerable.Range(0, 20), probe.Handled.Order());
        Assert.Equal(new List<int> { 8, 8, 4 }, sizes.Sizes);
        Assert.Equal(3, probe.ScopeIds.Distinct().Count()); // one scope per batch
        Assert.Equal(3, Volatile.Read(ref probe.ScopesDisposed));
        Assert.Empty(probe.Sunk);
    }

    [Fact]
    public async Task DrainTimeout_HandlerStopsThroughItsToken_ItsWholeBatchGoesToTheSink()
    {
        var probe = new Probe();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        probe.Behavior = async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct); // stops only at the abort
        };
        using IHost host = BuildHost(probe, new BatchSizes(), new WorkQueueBatchOptions { MaxBatchSize = 4 }, shutdownTimeout: TimeSpan.FromMilliseconds(300));
        await host.StartAsync().WaitAsync(Limit);
        WorkQueue<int> queue = host.Services.GetRequiredService<WorkQueue<int>>();
        for (int i = 0; i < 10; i++)
        {
            await queue.AddAsync(i).AsTask().WaitAsync(Limit);
        }

        await started.Task.WaitAsync(Limit);
        await host.StopAsync().WaitAsync(Limit);

        Assert.Empty(probe.Handled);
        Assert.Equal(Enumerable.Range(0, 10), probe.AllSunk.Order());
    }

    [Fact]
    public void AddBatchWorkQueue_NullBatching_IsRefused_AndASecondQueueOfTheSameTypeToo()
    {
        var services = new ServiceCollection();
        Assert.Equal("batching", Assert.Throws<ArgumentNullException>(() => services.AddBatchWorkQueue<int, ProbeBatchHandler>(null!)).ParamName);
        services.AddBatchWorkQueue<int, ProbeBatchHandler>(new WorkQueueBatchOptions());
        Assert.Throws<InvalidOperationException>(() => services.AddWorkQueue<int, ProbeHandler>());
    }
}
