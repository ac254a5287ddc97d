using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.WorkQueue;

/// <summary>Metrics listeners, the boundary of <see cref="WorkQueue{T}"/> with observers: they may throw, they must be told the truth.</summary>
public sealed class WorkQueueObserverTests
{
    private const string Prefix = "threadsafe.work_queue.";

    // The queue's other listener fails on every duration (a double histogram): counting must go on regardless.
    private static void FailOnDurations(Instrument instrument, double value)
    {
        if (instrument is Histogram<double>)
        {
            throw new InvalidOperationException("listener fails on " + instrument.Name);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ThrowingMeterListener_NeverLosesAnItemNorKillsAConsumer(bool dedicatedThreads)
    {
        string name = $"throwing-listener-{Guid.NewGuid():N}";
        using var listener = MeterRecorder.Throwing(Prefix, name);
        var handled = new ConcurrentDictionary<int, bool>();
        var queue = new WorkQueue<int>(
            item => handled[item] = true,
            new WorkQueueOptions<int> { Name = name, Capacity = 8, Consumers = 2, UseDedicatedThreads = dedicatedThreads, OnError = (_, _) => { } });
        for (int i = 0; i < 500; i++)
        {
            await queue.AddAsync(i).AsTask().WaitAsync(TestLimits.Wait); // a blocked producer that is never woken fails here
        }

        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal(500, handled.Count);
        Assert.Equal(500, queue.ProcessedCount);
        Assert.True(listener.Thrown > 0, "the listener saw the queue's measurements (and threw on them)");
    }

    [Fact]
    public async Task Metrics_UseOneNamingScheme_AndCountProcessedFailedAndLength()
    {
        string name = $"metrics-{Guid.NewGuid():N}";
        using var recorder = new MeterRecorder(Prefix, name, FailOnDurations);
        var queue = new WorkQueue<int>(
            item =>
            {
                if (item == 0)
                {
                    throw new InvalidOperationException("first fails");
                }
            },
            new WorkQueueOptions<int> { Name = name, OnError = (_, _) => { } });
        for (int i = 0; i < 10; i++)
        {
            queue.Add(i);
        }

        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal(9, recorder.Sum("threadsafe.work_queue.processed"));
        Assert.Equal(1, recorder.Sum("threadsafe.work_queue.failed"));
        Assert.NotEmpty(recorder.Values("threadsafe.work_queue.length"));
        Assert.Equal(0, recorder.Sum("threadsafe.work_queue.length"));
    }

    [Fact]
    public async Task LengthMetric_EndsAtZero_AfterAnAsyncHandlerHandsItsItemBackOnAbort()
    {
        string name = $"length-{Guid.NewGuid():N}";
        using var recorder = new MeterRecorder(Prefix, name, FailOnDurations);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new WorkQueue<int>(
            async (item, token) =>
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
            },
            new WorkQueueOptions<int> { Name = name, UseDedicatedThreads = false });
        await queue.AddAsync(1);
        await started.Task.WaitAsync(TestLimits.Wait);
        await queue.AddAsync(2);
        Assert.Equal(new List<int> { 1, 2 }, await queue.AbortAsync().WaitAsync(TestLimits.Wait));
        await queue.Completion.WaitAsync(TestLimits.Wait);
        Assert.NotEmpty(recorder.Values("threadsafe.work_queue.length"));
        Assert.Equal(0, recorder.Sum("threadsafe.work_queue.length"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HandlerCancelledThroughATokenLinkedToTheAbortToken_IsAborted_NotFailed(bool dedicatedThreads)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new WorkQueue<int>(
            async (item, token) =>
            {
                using var perItem = CancellationTokenSource.CreateLinkedTokenSource(token); // e.g. a per-item timeout
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, perItem.Token);
            },
            new WorkQueueOptions<int> { UseDedicatedThreads = dedicatedThreads });
        queue.Add(0);
        await started.Task.WaitAsync(TestLimits.Wait);
        queue.Add(1);
        queue.Add(2);
        IReadOnlyList<int> back = await queue.AbortAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal(new List<int> { 0, 1, 2 }, back);
        await queue.Completion.WaitAsync(TestLimits.Wait); // not faulted
        Assert.Equal(0, queue.FailedCount);
    }
}
