using System.Collections.Concurrent;

namespace ThreadSafe.Tests.WorkQueue;

/// <summary>Semantics of <see cref="WorkQueue{T}"/> on real threads: drain, back pressure, cancellation, abort.</summary>
public sealed class WorkQueueTests
{
    internal static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>A handler that blocks on the first item until released, so tests control what is in hand.</summary>
    internal sealed class BlockingHandler : IDisposable
    {
        private readonly ManualResetEvent _release = new(false);
        private int _calls;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<int> Handled { get; } = new();

        public void Handle(int item)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                Started.TrySetResult();
                Assert.True(_release.WaitOne(Limit), "the test never released the handler");
            }

            Handled.Enqueue(item);
        }

        public void Release() => _release.Set();

        public void Dispose() => _release.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CompleteAsync_AfterAdds_HandlesEveryItemInFifoOrder(bool dedicatedThreads)
    {
        var handled = new List<int>();
        var queue = new WorkQueue<int>(handled.Add, new WorkQueueOptions<int> { Capacity = 8, UseDedicatedThreads = dedicatedThreads });
        for (int i = 0; i < 1000; i++)
        {
            queue.Add(i);
        }

        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal(Enumerable.Range(0, 1000), handled);
        Assert.Equal(1000, queue.ProcessedCount);
        Assert.Equal(0, queue.FailedCount);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task CompleteAsync_CalledTwice_ReturnsTheSameTaskAsCompletion()
    {
        var queue = new WorkQueue<int>(_ => { });
        Task first = queue.CompleteAsync();
        Assert.Same(first, queue.CompleteAsync());
        Assert.Same(first, queue.Completion);
        await first.WaitAsync(Limit);
        Assert.Same(first, queue.CompleteAsync());
    }

    [Fact]
    public async Task Add_AfterCompleteAsync_ThrowsAndTryAddReturnsFalse()
    {
        var queue = new WorkQueue<int>(_ => { });
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Throws<InvalidOperationException>(() => queue.Add(1));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await queue.AddAsync(1));
        Assert.False(queue.TryAdd(1));
    }

    [Fact]
    public async Task TryAdd_WhenFull_ReturnsFalse_AndTheItemInHandDoesNotCount()
    {
        using var handler = new BlockingHandler();
        var queue = new WorkQueue<int>(handler.Handle, new WorkQueueOptions<int> { Capacity = 2 });
        Assert.True(queue.TryAdd(0));
        await handler.Started.Task.WaitAsync(Limit);
        Assert.True(queue.TryAdd(1)); // item 0 is in hand: two more fit
        Assert.True(queue.TryAdd(2));
        Assert.Equal(2, queue.Count);
        Assert.False(queue.TryAdd(3));
        handler.Release();
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal([0, 1, 2], handler.Handled);
    }

    [Fact]
    public async Task Add_WhenFull_BlocksUntilAConsumerStartsAnItem()
    {
        using var handler = new BlockingHandler();
        var queue = new WorkQueue<int>(handler.Handle, new WorkQueueOptions<int> { Capacity = 1 });
        queue.Add(0);
        await handler.Started.Task.WaitAsync(Limit);
        queue.Add(1);
        var producer = new Thread(() => queue.Add(2));
        producer.Start();
        await WaitUntil(() => queue.WaitingProducers == 1);
        Assert.True(producer.IsAlive);
        handler.Release();
        Assert.True(producer.Join(Limit));
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal([0, 1, 2], handler.Handled);
    }

    [Fact]
    public async Task AddAsync_WhenFull_CompletesWhenSpaceFrees()
    {
        using var handler = new BlockingHandler();
        var queue = new WorkQueue<int>(handler.Handle, new WorkQueueOptions<int> { Capacity = 1 });
        await queue.AddAsync(0);
        await handler.Started.Task.WaitAsync(Limit);
        await queue.AddAsync(1);
        Task waiting = queue.AddAsync(2).AsTask(); // a Task local: the rewritten test assembly cannot hold a ValueTask across awaits
        Assert.False(waiting.IsCompleted);
        handler.Release();
        await waiting.WaitAsync(Limit);
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal([0, 1, 2], handler.Handled);
    }

    [Fact]
    public async Task AddAsync_CancelledWhileFull_NeverEnqueuesAndLeavesNoWaiter()
    {
        using var handler = new BlockingHandler();
        var queue = new WorkQueue<int>(handler.Handle, new WorkQueueOptions<int> { Capacity = 1 });
        queue.Add(0);
        await handler.Started.Task.WaitAsync(Limit);
        queue.Add(1);
        using var cts = new CancellationTokenSource();
        Task waiting = queue.AddAsync(99, cts.Token).AsTask(); // a Task local: the rewritten test assembly cannot hold a ValueTask across awaits
        Assert.Equal(1, queue.WaitingProducers);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Limit));
        Assert.Equal(0, queue.WaitingProducers);
        handler.Release();
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal([0, 1], handler.Handled);
    }

    [Fact]
    public async Task Add_CancelledWhileFull_NeverEnqueuesAndLeavesNoWaiter()
    {
        using var handler = new BlockingHandler();
        var queue = new WorkQueue<int>(handler.Handle, new WorkQueueOptions<int> { Capacity = 1 });
        queue.Add(0);
        await handler.Started.Task.WaitAsync(Limit);
        queue.Add(1);
        using var cts = new CancellationTokenSource();
        Exception? thrown = null;
        var producer = new Thread(() => thrown = Record.Exception(() => queue.Add(99, cts.Token)));
        producer.Start();
        await WaitUntil(() => queue.WaitingProducers == 1);
        cts.Cancel();
        Assert.True(producer.Join(Limit));
        Assert.IsAssignableFrom<OperationCanceledException>(thrown);
        Assert.Equal(0, queue.WaitingProducers);
        handler.Release();
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal([0, 1], handler.Handled);
    }

    [Fact]
    public async Task Handler_WaitingForItemOfBlockedProducer_DoesNotHang_WithDefaultThreshold()
    {
        const int capacity = 4;
        using var go = new ManualResetEvent(false);
        using var lastAccepted = new ManualResetEvent(false);
        var waitedInHandler = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentQueue<int>();
        var queue = new WorkQueue<int>(
            item =>
            {
                if (item == -1)
                {
                    Assert.True(go.WaitOne(Limit)); // holds the consumer while the queue fills up
                }
                else if (item == 0)
                {
                    // Bounded: a producer that is never woken fails the test instead of hanging it.
                    waitedInHandler.TrySetResult(lastAccepted.WaitOne(TimeSpan.FromSeconds(10)));
                }

                handled.Enqueue(item);
            },
            new WorkQueueOptions<int> { Capacity = capacity });
        Thread? producer = null;
        try
        {
            queue.Add(-1);
            await WaitUntil(() => queue.Count == 0); // -1 is in hand
            for (int i = 0; i < capacity; i++)
            {
                queue.Add(i);
            }

            // The queue is full: the last item blocks until a slot is free. The consumer then takes items 0..3 as one
            // batch, and item 0 waits for the producer, so the start of item 0 alone must wake the producer.
            producer = new Thread(() =>
            {
                queue.Add(capacity);
                lastAccepted.Set();
            });
            producer.Start();
            await WaitUntil(() => queue.WaitingProducers == 1);
            go.Set();
            Assert.True(await waitedInHandler.Task.WaitAsync(Limit), "the handler of item 0 timed out waiting for the blocked producer");
            Assert.True(producer.Join(Limit));
            await queue.CompleteAsync().WaitAsync(Limit);
            Assert.Equal([-1, 0, 1, 2, 3, 4], handled);
        }
        finally
        {
            go.Set();
            lastAccepted.Set();
            _ = queue.AbortAsync();
            producer?.Join(Limit);
        }
    }

    [Fact]
    public async Task Add_AlreadyCancelledToken_ThrowsWithoutEnqueueing()
    {
        var handled = new ConcurrentQueue<int>();
        var queue = new WorkQueue<int>(handled.Enqueue);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => queue.Add(1, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queue.AddAsync(2, cts.Token));
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Empty(handled);
    }

    [Fact]
    public async Task CompleteAsync_WithBlockedProducer_ProducerThrowsAndItsItemIsNotEnqueued()
    {
        using var handler = new BlockingHandler();
        var queue = new WorkQueue<int>(handler.Handle, new WorkQueueOptions<int> { Capacity = 1 });
        queue.Add(0);
        await handler.Started.Task.WaitAsync(Limit);
        queue.Add(1);
        Task waiting = queue.AddAsync(99).AsTask(); // a Task local: the rewritten test assembly cannot hold a ValueTask across awaits
        Task completion = queue.CompleteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.WaitAsync(Limit));
        handler.Release();
        await completion.WaitAsync(Limit);
        Assert.Equal([0, 1], handler.Handled);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AbortAsync_HandsBackEveryUnstartedItemInFifoOrder(bool dedicatedThreads)
    {
        using var handler = new BlockingHandler();
        var queue = new WorkQueue<int>(handler.Handle, new WorkQueueOptions<int> { Capacity = 200, UseDedicatedThreads = dedicatedThreads });
        for (int i = 0; i < 200; i++)
        {
            queue.Add(i); // the consumer may take a batch while these arrive: its unstarted part must come back too
        }

        await handler.Started.Task.WaitAsync(Limit);
        Task<IReadOnlyList<int>> abort = queue.AbortAsync();
        Assert.Same(abort, queue.AbortAsync());
        Assert.Throws<InvalidOperationException>(() => queue.Add(1000));
        handler.Release();
        IReadOnlyList<int> back = await abort.WaitAsync(Limit);
        await queue.Completion.WaitAsync(Limit);
        Assert.Equal([0], handler.Handled);
        Assert.Equal(Enumerable.Range(1, 199), back);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task AbortAsync_AfterDrained_ReturnsEmpty()
    {
        var queue = new WorkQueue<int>(_ => { });
        queue.Add(1);
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Empty(await queue.AbortAsync().WaitAsync(Limit));
    }

    [Fact]
    public async Task AbortAsync_AsyncHandlerHonouringItsToken_ItemIsHandedBackFirst()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new WorkQueue<int>(
            async (item, token) =>
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
            },
            new WorkQueueOptions<int> { UseDedicatedThreads = false });
        await queue.AddAsync(1);
        await started.Task.WaitAsync(Limit);
        await queue.AddAsync(2);
        await queue.AddAsync(3);
        IReadOnlyList<int> back = await queue.AbortAsync().WaitAsync(Limit);
        Assert.Equal([1, 2, 3], back);
        await queue.Completion.WaitAsync(Limit);
        Assert.Equal(0, queue.FailedCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AsyncHandler_SeveralConsumers_HandlesEveryItemOnce(bool dedicatedThreads)
    {
        var handled = new ConcurrentDictionary<int, int>();
        var queue = new WorkQueue<int>(
            async (item, _) =>
            {
                await Task.Yield();
                handled.AddOrUpdate(item, 1, (_, n) => n + 1);
            },
            new WorkQueueOptions<int> { Consumers = 3, Capacity = 16, UseDedicatedThreads = dedicatedThreads });
        for (int i = 0; i < 2000; i++)
        {
            await queue.AddAsync(i);
        }

        await queue.DisposeAsync().AsTask().WaitAsync(Limit);
        Assert.Equal(2000, handled.Count);
        Assert.All(handled.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task Consumers_DefaultDedicatedThreads_AreNamedAndNotPoolThreads()
    {
        var seen = new ConcurrentBag<(string? Name, bool Pool)>();
        var queue = new WorkQueue<int>(_ => seen.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread)), new WorkQueueOptions<int> { Name = "log" });
        queue.Add(1);
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal(("log consumer", false), Assert.Single(seen));
        Assert.Equal("log", queue.Name);
        Assert.Equal(1024, queue.Capacity);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Yield();
            Thread.Yield(); // bounded polling of a monitoring property; the verdict is the condition itself
        }
    }
}
