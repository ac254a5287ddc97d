using System.Collections.Concurrent;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.WorkQueue;

/// <summary>The error rule, bad arguments and the metrics of <see cref="WorkQueue{T}"/>.</summary>
public sealed class WorkQueueErrorAndMisuseTests
{
    [Fact]
    public async Task Handler_ThrowsWithoutOnError_FaultsWithUnstartedItemsInFifoOrder()
    {
        var boom = new InvalidOperationException("boom");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentQueue<int>();
        var queue = new WorkQueue<int>(
            item =>
            {
                if (item == 0)
                {
                    Assert.True(release.Task.Wait(TestLimits.Wait));
                    throw boom;
                }

                handled.Enqueue(item);
            },
            new WorkQueueOptions<int> { Capacity = 100 });
        for (int i = 0; i < 100; i++)
        {
            queue.Add(i);
        }

        release.SetResult();
        var fault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => queue.Completion.WaitAsync(TestLimits.Wait));
        Assert.Same(boom, fault.InnerException);
        Assert.Equal(0, fault.FailedItem);
        Assert.Equal(Enumerable.Range(1, 99), fault.Unprocessed);
        Assert.Empty(handled);
        Assert.Same(queue.Completion, queue.CompleteAsync());
        Assert.Throws<InvalidOperationException>(() => queue.Add(1));
        Assert.False(queue.TryAdd(1));
        var abortFault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => queue.AbortAsync().WaitAsync(TestLimits.Wait));
        Assert.Same(fault, abortFault);
        Assert.Equal(1, queue.FailedCount);
    }

    [Fact]
    public async Task Handler_ThrowsWithOnError_ReportsItAndKeepsProcessing()
    {
        var errors = new ConcurrentQueue<(int Item, string Message)>();
        var handled = new ConcurrentQueue<int>();
        var queue = new WorkQueue<int>(
            item =>
            {
                if (item % 3 == 0)
                {
                    throw new InvalidOperationException($"bad {item}");
                }

                handled.Enqueue(item);
            },
            new WorkQueueOptions<int> { OnError = (item, ex) => errors.Enqueue((item, ex.Message)) });
        for (int i = 0; i < 9; i++)
        {
            queue.Add(i);
        }

        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal([(0, "bad 0"), (3, "bad 3"), (6, "bad 6")], errors);
        Assert.Equal([1, 2, 4, 5, 7, 8], handled);
        Assert.Equal(6, queue.ProcessedCount);
        Assert.Equal(3, queue.FailedCount);
    }

    [Fact]
    public async Task OnError_Throws_FaultsTheQueueWithThatExceptionAndKeepsTheHandlers_AndSaysOnErrorThrew()
    {
        var fromOnError = new InvalidOperationException("from OnError");
        var fromHandler = new InvalidOperationException("handler");
        var queue = new WorkQueue<int>(_ => throw fromHandler, new WorkQueueOptions<int> { OnError = (_, _) => throw fromOnError });
        queue.Add(1);
        var fault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => queue.Completion.WaitAsync(TestLimits.Wait));
        var both = Assert.IsType<AggregateException>(fault.InnerException);
        Assert.Equal(new Exception[] { fromOnError, fromHandler }, both.InnerExceptions);
        Assert.DoesNotContain("no OnError was set", fault.Message, StringComparison.Ordinal);
        Assert.Contains("OnError threw", fault.Message, StringComparison.Ordinal);
        var refused = Assert.Throws<InvalidOperationException>(() => queue.Add(2));
        Assert.DoesNotContain("no OnError was set", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeAsync_FaultedQueue_Throws()
    {
        var queue = new WorkQueue<int>(_ => throw new InvalidOperationException("handler"));
        queue.Add(1);
        await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => queue.DisposeAsync().AsTask().WaitAsync(TestLimits.Wait));
    }

    [Fact]
    public void Constructor_NullHandler_Throws()
    {
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => new WorkQueue<int>((Action<int>)null!)).ParamName);
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => new WorkQueue<int>((Func<int, CancellationToken, ValueTask>)null!)).ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Options_NonPositiveCapacityOrConsumers_Throw(int value)
    {
        Assert.Equal("Capacity", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueueOptions<int> { Capacity = value }).ParamName);
        Assert.Equal("Consumers", Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueueOptions<int> { Consumers = value }).ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Options_NonPositiveProducerWakeThreshold_Throws(int value)
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueueOptions<int> { ProducerWakeThreshold = value });
        Assert.Equal("ProducerWakeThreshold", thrown.ParamName);
    }

    [Theory]
    [InlineData(1025)]
    [InlineData(int.MaxValue)]
    public void Options_TooManyConsumers_ThrowsNamingTheProperty(int value)
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueueOptions<int> { Consumers = value });
        Assert.Equal("Consumers", thrown.ParamName);
        Assert.Contains("1024", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_UseCSharpTypeNames_AndSayCompletedOnceTheQueueHasStopped()
    {
        var queue = new WorkQueue<List<int>>(_ => { });
        Assert.Equal("WorkQueue<List<int>>", queue.Name);
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        var thrown = Assert.Throws<InvalidOperationException>(() => queue.Add([]));
        Assert.Equal("WorkQueue<List<int>> completed (CompleteAsync was called) and accepts no more items.", thrown.Message);
    }

    [Fact]
    public async Task ConcurrentHandlerFailures_EveryFailedItemIsKept()
    {
        using var bothStarted = new Barrier(2);
        var queue = new WorkQueue<int>(
            item =>
            {
                Assert.True(bothStarted.SignalAndWait(TestLimits.Wait)); // both consumers are in a handler before either throws
                throw new InvalidOperationException($"item {item}");
            },
            new WorkQueueOptions<int> { Consumers = 2, Capacity = 1 });
        queue.Add(1);
        queue.Add(2);
        var fault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => queue.Completion.WaitAsync(TestLimits.Wait));
        Assert.Equal(new List<int> { 1, 2 }, fault.FailedItems.Order());
        Assert.Contains(fault.FailedItem, fault.FailedItems);
        Assert.Equal(2, Assert.IsType<AggregateException>(fault.InnerException).InnerExceptions.Count);
    }

    [Fact]
    public void Options_Defaults_AreDocumented()
    {
        var options = new WorkQueueOptions<string>();
        Assert.Equal(1024, options.Capacity);
        Assert.Equal(1, options.Consumers);
        Assert.Equal(1, options.ProducerWakeThreshold);
        Assert.True(options.UseDedicatedThreads);
        Assert.Null(options.OnError);
        Assert.Null(options.Name);
    }
}
