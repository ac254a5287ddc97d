using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Hosting.Tests;

/// <summary>A hosted <see cref="WorkQueue{T}"/> in a real host (Host.CreateApplicationBuilder): start, drain, abort, sink, scopes, health.</summary>
public sealed class HostedWorkQueueTests
{
    private static readonly TimeSpan Limit = Probe.Limit;

    private static IHost BuildHost(Probe probe, LogCapture log, Action<HostedWorkQueueOptions<int>>? configure = null, TimeSpan? shutdownTimeout = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddSingleton(probe);
        builder.Services.AddScoped<ScopedThing>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout ?? Limit);
        builder.Services.AddWorkQueue<int, ProbeHandler>(options =>
        {
            options.UnprocessedItemsSink = (items, _, _) =>
            {
                probe.Sunk.Enqueue(items);
                return default;
            };
            configure?.Invoke(options);
        });
        return builder.Build();
    }

    private static async Task<List<int>> AddAllAsync(WorkQueue<int> queue, int count)
    {
        var accepted = new List<int>();
        for (int i = 0; i < count; i++)
        {
            await queue.AddAsync(i).AsTask().WaitAsync(Limit);
            accepted.Add(i);
        }

        return accepted;
    }

    [Fact]
    public async Task StartThenStop_DrainsEveryAcceptedItem_AndLogsIt()
    {
        var probe = new Probe();
        var log = new LogCapture();
        using IHost host = BuildHost(probe, log, o => o.Consumers = 2);
        await host.StartAsync().WaitAsync(Limit);
        WorkQueue<int> queue = host.Services.GetRequiredService<WorkQueue<int>>();
        Assert.Same(host.Services.GetRequiredService<HostedWorkQueue<int>>().Queue, queue);
        List<int> accepted = await AddAllAsync(queue, 200);

        await host.StopAsync().WaitAsync(Limit);

        Assert.Equal(accepted, probe.Handled.Order());
        Assert.Empty(probe.Sunk);
        Assert.True(queue.Completion.IsCompletedSuccessfully);
        Assert.Throws<InvalidOperationException>(() => queue.Add(1)); // stopped accepting
        Assert.Contains(log.At(LogLevel.Information), m => m.Contains("drained: 200 item(s) processed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Handler_IsResolvedInANewScopePerItem_DisposedAfterTheItem()
    {
        var probe = new Probe();
        using IHost host = BuildHost(probe, new LogCapture());
        await host.StartAsync().WaitAsync(Limit);
        await AddAllAsync(host.Services.GetRequiredService<WorkQueue<int>>(), 20);
        await host.StopAsync().WaitAsync(Limit);

        Assert.Equal(20, probe.ScopeIds.Distinct().Count());
        Assert.Equal(20, Volatile.Read(ref probe.ScopesDisposed));
    }

    [Fact]
    public async Task Handler_Async_IsAwaitedBeforeTheItemCountsAsProcessed()
    {
        var probe = new Probe
        {
            Behavior = async (_, ct) =>
            {
                await Task.Yield();
                await Task.Delay(1, ct);
            },
        };
        using IHost host = BuildHost(probe, new LogCapture());
        await host.StartAsync().WaitAsync(Limit);
        WorkQueue<int> queue = host.Services.GetRequiredService<WorkQueue<int>>();
        await AddAllAsync(queue, 10);
        await host.StopAsync().WaitAsync(Limit);

        Assert.Equal(10, probe.Handled.Count);
        Assert.Equal(10, queue.ProcessedCount);
    }

    [Fact]
    public async Task DrainTimeout_AbortsTheQueue_AndTheSinkReceivesEveryUnprocessedItem()
    {
        // The handler honours its token: it waits until the abort cancels it, so only the drain timeout ends the run.
        var probe = new Probe { Behavior = async (_, ct) => await Task.Delay(Timeout.Infinite, ct) };
        var log = new LogCapture();
        using IHost host = BuildHost(probe, log, o => o.Capacity = 100, shutdownTimeout: TimeSpan.FromMilliseconds(200));
        await host.StartAsync().WaitAsync(Limit);
        List<int> accepted = await AddAllAsync(host.Services.GetRequiredService<WorkQueue<int>>(), 50);

        await host.StopAsync().WaitAsync(Limit);

        Assert.Empty(probe.Handled);
        Assert.Equal(accepted, probe.AllSunk); // every item, the one in hand included, in acceptance order
        Assert.Contains(log.At(LogLevel.Warning), m => m.Contains("50 accepted item(s) were not processed", StringComparison.Ordinal));
        Assert.Contains(log.At(LogLevel.Warning), m => m.Contains("did not drain within the host's shutdown timeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DrainTimeout_PartlyHandled_EveryAcceptedItemIsEitherHandledOrSunk_NeverBoth()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new Probe { Behavior = async (item, ct) => await (item < 5 ? Task.CompletedTask : release.Task.WaitAsync(ct)) };
        using IHost host = BuildHost(probe, new LogCapture(), o => o.Consumers = 2, shutdownTimeout: TimeSpan.FromMilliseconds(300));
        await host.StartAsync().WaitAsync(Limit);
        List<int> accepted = await AddAllAsync(host.Services.GetRequiredService<WorkQueue<int>>(), 30);

        await host.StopAsync().WaitAsync(Limit);

        int[] handled = [.. probe.Handled];
        int[] sunk = [.. probe.AllSunk];
        Assert.Empty(handled.Intersect(sunk));
        Assert.Equal(accepted, handled.Concat(sunk).Order());
        Assert.Equal(Enumerable.Range(0, 5), handled.Order());
    }

    [Fact]
    public async Task Handler_NeverReturns_ShutdownIsStillBounded_AndItsItemGoesToTheSink()
    {
        using var never = new ManualResetEvent(false);
        var probe = new Probe
        {
            Behavior = (_, _) =>
            {
                never.WaitOne(Limit); // ignores its token and blocks its thread: it "never" returns within the test
                return default;
            },
        };
        var log = new LogCapture();
        using IHost host = BuildHost(probe, log, o => o.AbortTimeout = TimeSpan.FromMilliseconds(200), shutdownTimeout: TimeSpan.FromMilliseconds(200));
        await host.StartAsync().WaitAsync(Limit);
        List<int> accepted = await AddAllAsync(host.Services.GetRequiredService<WorkQueue<int>>(), 5);

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await host.StopAsync().WaitAsync(Limit);
        stopping.Stop();
        never.Set();

        Assert.Equal(accepted, probe.AllSunk); // the abandoned item 0 first, then the waiting ones
        Assert.Contains(log.At(LogLevel.Error), m => m.Contains("is abandoned", StringComparison.Ordinal));
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"shutdown took {stopping.Elapsed}");
    }

    [Fact]
    public async Task OnHandlerError_NeverReturns_ShutdownIsStillBounded_AndTheLostCountIsLogged()
    {
        // OnHandlerError runs on a consumer: one that never returns holds the consumer, so the abort cannot take the
        // waiting items back. Shutdown must still end (after AbortTimeout + 1 s), reporting how many were lost.
        using var never = new ManualResetEvent(false);
        var probe = new Probe { Behavior = (_, _) => throw new FormatException("bad") };
        var log = new LogCapture();
        using IHost host = BuildHost(
            probe,
            log,
            o =>
            {
                o.AbortTimeout = TimeSpan.FromMilliseconds(100);
                o.OnHandlerError = (_, _) => never.WaitOne(Limit);
            },
            shutdownTimeout: TimeSpan.FromMilliseconds(100));
        await host.StartAsync().WaitAsync(Limit);
        await AddAllAsync(host.Services.GetRequiredService<WorkQueue<int>>(), 3);

        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(15)); // well under the 30 s OnHandlerError blocks
        never.Set();

        Assert.Contains(log.At(LogLevel.Critical), m => m.Contains("2 waiting item(s) could not be taken back", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Handler_Throws_IsLoggedWithTheItem_AndProcessingContinues()
    {
        var failures = new List<int>();
        var probe = new Probe { Behavior = (item, _) => item % 2 == 1 ? throw new FormatException($"bad {item}") : default };
        var log = new LogCapture();
        using IHost host = BuildHost(probe, log, o => o.OnHandlerError = (item, _) =>
        {
            lock (failures)
            {
                failures.Add(item);
            }
        });
        await host.StartAsync().WaitAsync(Limit);
        WorkQueue<int> queue = host.Services.GetRequiredService<WorkQueue<int>>();
        await AddAllAsync(queue, 10);
        await host.StopAsync().WaitAsync(Limit);

        Assert.Equal(new[] { 0, 2, 4, 6, 8 }, probe.Handled.Order());
        Assert.Equal(new[] { 1, 3, 5, 7, 9 }, failures.Order());
        Assert.Equal(5, queue.FailedCount);
        Assert.Equal(5, log.Entries.Count(e => e.Level == LogLevel.Error && e.Exception is FormatException));
        Assert.True(queue.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Handler_Throws_WithStopOnHandlerError_FaultsTheQueue_SinkGetsTheUnstartedItems_HealthIsUnhealthy()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new Probe
        {
            Behavior = async (item, ct) =>
            {
                if (item == 0)
                {
                    await release.Task.WaitAsync(ct);
                    throw new FormatException("bad 0");
                }
            },
        };
        var log = new LogCapture();
        using IHost host = BuildHost(probe, log, o => o.StopOnHandlerError = true);
        await host.StartAsync().WaitAsync(Limit);
        HostedWorkQueue<int> hosted = host.Services.GetRequiredService<HostedWorkQueue<int>>();
        List<int> accepted = await AddAllAsync(hosted.Queue, 5);
        release.SetResult();
        await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => hosted.Queue.Completion.WaitAsync(Limit));

        WorkQueueHealth health = hosted.GetHealth();
        Assert.Equal(WorkQueueHealthStatus.Unhealthy, health.Status);
        Assert.True(health.IsFaulted);
        await host.StopAsync().WaitAsync(Limit);

        Assert.Empty(probe.Handled);
        Assert.Equal(accepted.Skip(1), probe.AllSunk); // item 0 failed (logged); 1..4 were never started
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Critical && e.Exception is FormatException);
    }

    [Fact]
    public async Task Handler_ReentersTheQueueWithTryAdd_ItsItemsAreHandledToo()
    {
        WorkQueue<int>? queue = null;
        var probe = new Probe
        {
            Behavior = (item, _) =>
            {
                if (item > 0)
                {
                    Assert.True(queue!.TryAdd(item - 1));
                }

                return default;
            },
        };
        using IHost host = BuildHost(probe, new LogCapture(), o => o.Capacity = 4);
        await host.StartAsync().WaitAsync(Limit);
        queue = host.Services.GetRequiredService<WorkQueue<int>>();
        queue.Add(100);
        await WaitForAsync(() => probe.Handled.Count == 101);
        await host.StopAsync().WaitAsync(Limit);

        Assert.Equal(Enumerable.Range(0, 101), probe.Handled.Order());
    }

    [Fact]
    public async Task Handler_ReentersAFullQueueWithAddAsync_ShutdownIsStillBounded_AndNothingIsLost()
    {
        // One consumer, capacity 1: the handler of item 0 waits for room that only its own consumer could make. Stopping
        // the host completes the queue, which refuses that AddAsync; the handler fails (logged) and the queue drains.
        WorkQueue<int>? queue = null;
        var inHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new Probe
        {
            Behavior = async (item, ct) =>
            {
                if (item == 0)
                {
                    inHandler.SetResult();
                    await full.Task.WaitAsync(ct);
                    await queue!.AddAsync(100, ct);
                }
            },
        };
        var log = new LogCapture();
        using IHost host = BuildHost(probe, log, o => o.Capacity = 1);
        await host.StartAsync().WaitAsync(Limit);
        queue = host.Services.GetRequiredService<WorkQueue<int>>();
        await queue.AddAsync(0);
        await inHandler.Task.WaitAsync(Limit);
        await queue.AddAsync(1); // fills the queue: item 0's AddAsync will wait
        full.SetResult();

        await host.StopAsync().WaitAsync(Limit);

        Assert.Equal(new[] { 1 }, probe.Handled.AsEnumerable());
        Assert.Equal(1, queue.FailedCount);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task Health_ReportsLengthAgainstCapacity_DegradedWhenFilling_UnhealthyWhenStopped()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new Probe { Behavior = async (_, ct) => await release.Task.WaitAsync(ct) };
        using IHost host = BuildHost(probe, new LogCapture(), o =>
        {
            o.Capacity = 10;
            o.DegradedFillRatio = 0.5;
        });
        await host.StartAsync().WaitAsync(Limit);
        HostedWorkQueue<int> hosted = host.Services.GetRequiredService<HostedWorkQueue<int>>();
        Assert.Equal(WorkQueueHealthStatus.Healthy, hosted.GetHealth().Status);

        await AddAllAsync(hosted.Queue, 1);
        await WaitForAsync(() => hosted.Queue.Count == 0); // item 0 is in hand
        await AddAllAsync(hosted.Queue, 4);
        WorkQueueHealth healthy = hosted.GetHealth();
        Assert.Equal((WorkQueueHealthStatus.Healthy, 4, 10), (healthy.Status, healthy.Count, healthy.Capacity));

        await AddAllAsync(hosted.Queue, 1);
        WorkQueueHealth degraded = hosted.GetHealth();
        Assert.Equal((WorkQueueHealthStatus.Degraded, 5), (degraded.Status, degraded.Count));
        Assert.Contains("5 of 10", degraded.Description, StringComparison.Ordinal);

        release.SetResult();
        await host.StopAsync().WaitAsync(Limit);
        WorkQueueHealth stopped = hosted.GetHealth();
        Assert.Equal(WorkQueueHealthStatus.Unhealthy, stopped.Status);
        Assert.False(stopped.IsFaulted);
        Assert.Equal(6, stopped.ProcessedCount);
    }

    [Fact]
    public async Task NoSink_UnprocessedItemsAreLoggedAtCritical_WithTheirCount()
    {
        var probe = new Probe { Behavior = async (_, ct) => await Task.Delay(Timeout.Infinite, ct) };
        var log = new LogCapture();
        using IHost host = BuildHost(probe, log, o => o.UnprocessedItemsSink = null, shutdownTimeout: TimeSpan.FromMilliseconds(100));
        await host.StartAsync().WaitAsync(Limit);
        await AddAllAsync(host.Services.GetRequiredService<WorkQueue<int>>(), 3);
        await host.StopAsync().WaitAsync(Limit);

        Assert.Contains(log.At(LogLevel.Critical), m => m.Contains("these 3 unprocessed item(s) are only logged: 0, 1, 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sink_Throws_UnprocessedItemsAreLoggedAtCritical()
    {
        var probe = new Probe { Behavior = async (_, ct) => await Task.Delay(Timeout.Infinite, ct) };
        var log = new LogCapture();
        using IHost host = BuildHost(
            probe,
            log,
            o => o.UnprocessedItemsSink = (_, _, _) => throw new IOException("disk full"),
            shutdownTimeout: TimeSpan.FromMilliseconds(100));
        await host.StartAsync().WaitAsync(Limit);
        await AddAllAsync(host.Services.GetRequiredService<WorkQueue<int>>(), 2);
        await host.StopAsync().WaitAsync(Limit);

        Assert.Contains(log.Entries, e => e.Level == LogLevel.Critical && e.Exception is IOException && e.Message.Contains("0, 1", StringComparison.Ordinal));
    }

    [Fact]
    public void AddWorkQueue_TwiceForOneItemType_ThrowsInvalidOperationException()
    {
        var services = new ServiceCollection();
        services.AddWorkQueue<int, ProbeHandler>();
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => services.AddWorkQueue<int, ProbeHandler>());
        Assert.Contains("already registered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_InfiniteAbortTimeout_ThrowsArgumentOutOfRange()
    {
        var options = new HostedWorkQueueOptions<int>();
        Assert.Equal("AbortTimeout", Assert.Throws<ArgumentOutOfRangeException>(() => options.AbortTimeout = Timeout.InfiniteTimeSpan).ParamName);
        Assert.Equal("Capacity", Assert.Throws<ArgumentOutOfRangeException>(() => options.Capacity = 0).ParamName);
        Assert.Equal("DegradedFillRatio", Assert.Throws<ArgumentOutOfRangeException>(() => options.DegradedFillRatio = 0).ParamName);
    }

    // Polls a condition that has no event to wait on, bounded: a bug fails instead of hanging, naming the condition.
    private static Task WaitForAsync(Func<bool> condition, [CallerArgumentExpression(nameof(condition))] string what = "") =>
        Poll.UntilAsync(condition, what);
}
