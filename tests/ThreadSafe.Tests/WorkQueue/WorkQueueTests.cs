using System.Collections.Concurrent;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.WorkQueue;

/// <summary>Semantics of <see cref="WorkQueue{T}"/> on real threads: drain, back pressure, cancellation, abort.</summary>
public sealed class WorkQueueTests
{
    /// <summary>
    /// A queue whose one consumer holds item 0 in its handler, blocked until <see cref="Release"/>: the set-up of every
    /// test of a full queue, of blocked producers and of shutdown with an item in hand. What the handler handled is
    /// recorded in order.
    /// </summary>
    internal sealed class HeldQueue
    {
        private HeldQueue(int capacity, bool dedicatedThreads)
        {
            Queue = new WorkQueue<int>(
                item =>
                {
                    Hold.Block(); // only the first item waits: once released, every later one passes
                    Handled.Enqueue(item);
                },
                new WorkQueueOptions<int> { Capacity = capacity, UseDedicatedThreads = dedicatedThreads });
        }

        public WorkQueue<int> Queue { get; }

        /// <summary>Blocks the handler; its <see cref="BlockingHandler.Entries"/> counts the items started.</summary>
        public BlockingHandler Hold { get; } = new();

        public ConcurrentQueue<int> Handled { get; } = new();

        /// <summary>A queue of <paramref name="capacity"/> whose consumer has taken item 0 and is blocked in its handler.</summary>
        public static async Task<HeldQueue> InHandAsync(int capacity = 1, bool dedicatedThreads = true)
        {
            var held = new HeldQueue(capacity, dedicatedThreads);
            held.Queue.Add(0);
            await held.Hold.WaitEnteredAsync();
            return held;
        }

        /// <summary>Item 0 in hand and the buffer full: items 1 to <paramref name="capacity"/> wait in the queue.</summary>
        public static Task<HeldQueue> FullAsync(int capacity = 1) => WaitingAsync(capacity, capacity);

        /// <summary>Item 0 in hand and items 1 to <paramref name="waiting"/> waiting in a queue of <paramref name="capacity"/>.</summary>
        public static async Task<HeldQueue> WaitingAsync(int waiting, int capacity)
        {
            HeldQueue held = await InHandAsync(capacity);
            for (int i = 1; i <= waiting; i++)
            {
                held.Queue.Add(i);
            }

            Assert.Equal(waiting, held.Queue.Count);
            return held;
        }

        /// <summary>Lets the handler go on: item 0, then every later item, is handled.</summary>
        public void Release() => Hold.Release();
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

        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
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
        await first.WaitAsync(TestLimits.Wait);
        Assert.Same(first, queue.CompleteAsync());
    }

    [Fact]
    public async Task Add_AfterCompleteAsync_ThrowsAndTryAddReturnsFalse()
    {
        var queue = new WorkQueue<int>(_ => { });
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Throws<InvalidOperationException>(() => queue.Add(1));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await queue.AddAsync(1));
        Assert.False(queue.TryAdd(1));
    }

    [Fact]
    public async Task TryAdd_WhenFull_ReturnsFalse_AndTheItemInHandDoesNotCount()
    {
        HeldQueue held = await HeldQueue.InHandAsync(capacity: 2);
        WorkQueue<int> queue = held.Queue;
        Assert.True(queue.TryAdd(1)); // item 0 is in hand: two more fit
        Assert.True(queue.TryAdd(2));
        Assert.Equal(2, queue.Count);
        Assert.False(queue.TryAdd(3));
        held.Release();
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal([0, 1, 2], held.Handled);
    }

    [Fact]
    public async Task Add_WhenFull_BlocksUntilAConsumerStartsAnItem()
    {
        HeldQueue held = await HeldQueue.FullAsync();
        WorkQueue<int> queue = held.Queue;
        int added = 0;
        var producer = TestThread.Start(
            () =>
            {
                queue.Add(2);
                Volatile.Write(ref added, 1);
            },
            "producer");
        await Poll.UntilAsync(() => queue.WaitingProducers == 1, "the producer waits");
        Assert.Equal(0, Volatile.Read(ref added));
        held.Release();
        producer.Join();
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal([0, 1, 2], held.Handled);
    }

    [Fact]
    public async Task AddAsync_WhenFull_CompletesWhenSpaceFrees()
    {
        HeldQueue held = await HeldQueue.InHandAsync();
        WorkQueue<int> queue = held.Queue;
        await queue.AddAsync(1);
        Task waiting = queue.AddAsync(2).AsTask(); // a Task local: the rewritten test assembly cannot hold a ValueTask across awaits
        Assert.False(waiting.IsCompleted);
        held.Release();
        await waiting.WaitAsync(TestLimits.Wait);
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal([0, 1, 2], held.Handled);
    }

    [Fact]
    public async Task AddAsync_CancelledWhileFull_NeverEnqueuesAndLeavesNoWaiter()
    {
        HeldQueue held = await HeldQueue.FullAsync();
        WorkQueue<int> queue = held.Queue;
        using var cts = new CancellationTokenSource();
        Task waiting = queue.AddAsync(99, cts.Token).AsTask(); // a Task local: the rewritten test assembly cannot hold a ValueTask across awaits
        Assert.Equal(1, queue.WaitingProducers);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestLimits.Wait));
        Assert.Equal(0, queue.WaitingProducers);
        held.Release();
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal([0, 1], held.Handled);
    }

    [Fact]
    public async Task Add_CancelledWhileFull_NeverEnqueuesAndLeavesNoWaiter()
    {
        HeldQueue held = await HeldQueue.FullAsync();
        WorkQueue<int> queue = held.Queue;
        using var cts = new CancellationTokenSource();
        Exception? thrown = null;
        var producer = TestThread.Start(() => thrown = Record.Exception(() => queue.Add(99, cts.Token)), "producer");
        await Poll.UntilAsync(() => queue.WaitingProducers == 1, "the producer waits");
        cts.Cancel();
        producer.Join();
        Assert.IsAssignableFrom<OperationCanceledException>(thrown);
        Assert.Equal(0, queue.WaitingProducers);
        held.Release();
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal([0, 1], held.Handled);
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
                    Assert.True(go.WaitOne(TestLimits.Wait)); // holds the consumer while the queue fills up
                }
                else if (item == 0)
                {
                    // Bounded: a producer that is never woken fails the test instead of hanging it.
                    waitedInHandler.TrySetResult(lastAccepted.WaitOne(TimeSpan.FromSeconds(10)));
                }

                handled.Enqueue(item);
            },
            new WorkQueueOptions<int> { Capacity = capacity });
        try
        {
            queue.Add(-1);
            await Poll.UntilAsync(() => queue.Count == 0, "item -1 is in hand");
            for (int i = 0; i < capacity; i++)
            {
                queue.Add(i);
            }

            // The queue is full: the last item blocks until a slot is free. The consumer then takes items 0..3 as one
            // batch, and item 0 waits for the producer, so the start of item 0 alone must wake the producer.
            TestThread producer = TestThread.Start(
                () =>
                {
                    queue.Add(capacity);
                    lastAccepted.Set();
                },
                "producer");
            await Poll.UntilAsync(() => queue.WaitingProducers == 1, "the producer waits");
            go.Set();
            Assert.True(await waitedInHandler.Task.WaitAsync(TestLimits.Wait), "the handler of item 0 timed out waiting for the blocked producer");
            producer.Join();
            await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
            Assert.Equal([-1, 0, 1, 2, 3, 4], handled);
        }
        finally
        {
            go.Set();
            lastAccepted.Set();
            _ = queue.AbortAsync(); // wakes a producer still blocked, if the test failed
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
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Empty(handled);
    }

    [Fact]
    public async Task CompleteAsync_WithBlockedProducer_ProducerThrowsAndItsItemIsNotEnqueued()
    {
        HeldQueue held = await HeldQueue.FullAsync();
        WorkQueue<int> queue = held.Queue;
        Task waiting = queue.AddAsync(99).AsTask(); // a Task local: the rewritten test assembly cannot hold a ValueTask across awaits
        Task completion = queue.CompleteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.WaitAsync(TestLimits.Wait));
        held.Release();
        await completion.WaitAsync(TestLimits.Wait);
        Assert.Equal([0, 1], held.Handled);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AbortAsync_HandsBackEveryUnstartedItemInFifoOrder(bool dedicatedThreads)
    {
        HeldQueue held = await HeldQueue.InHandAsync(capacity: 200, dedicatedThreads);
        WorkQueue<int> queue = held.Queue;
        for (int i = 1; i < 200; i++)
        {
            queue.Add(i);
        }

        Task<IReadOnlyList<int>> abort = queue.AbortAsync();
        Assert.Same(abort, queue.AbortAsync());
        Assert.Throws<InvalidOperationException>(() => queue.Add(1000));
        held.Release();
        IReadOnlyList<int> back = await abort.WaitAsync(TestLimits.Wait);
        await queue.Completion.WaitAsync(TestLimits.Wait);
        Assert.Equal([0], held.Handled);
        Assert.Equal(Enumerable.Range(1, 199), back);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task AbortAsync_AfterDrained_ReturnsEmpty()
    {
        var queue = new WorkQueue<int>(_ => { });
        queue.Add(1);
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Empty(await queue.AbortAsync().WaitAsync(TestLimits.Wait));
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
        await started.Task.WaitAsync(TestLimits.Wait);
        await queue.AddAsync(2);
        await queue.AddAsync(3);
        IReadOnlyList<int> back = await queue.AbortAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal([1, 2, 3], back);
        await queue.Completion.WaitAsync(TestLimits.Wait);
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

        await queue.DisposeAsync().AsTask().WaitAsync(TestLimits.Wait);
        Assert.Equal(2000, handled.Count);
        Assert.All(handled.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task Consumers_DefaultDedicatedThreads_AreNamedAndNotPoolThreads()
    {
        var seen = new ConcurrentBag<(string? Name, bool Pool)>();
        var queue = new WorkQueue<int>(_ => seen.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread)), new WorkQueueOptions<int> { Name = "log" });
        queue.Add(1);
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal(("log consumer", false), Assert.Single(seen));
        Assert.Equal("log", queue.Name);
        Assert.Equal(1024, queue.Capacity);
    }
}
