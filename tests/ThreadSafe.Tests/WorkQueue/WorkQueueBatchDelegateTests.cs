using System.Diagnostics;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.WorkQueue;

/// <summary>
/// The boundary of <see cref="WorkQueue{T}"/> batch handlers: which overload a lambda binds to, refusals, option
/// validation, handlers that re-enter the queue or never return, and the oldest-item deadline against a test clock.
/// </summary>
public sealed class WorkQueueBatchDelegateTests
{
    private static readonly TimeSpan Limit = TestLimits.Wait;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AsyncLambda_BindsToTheAsynchronousForm_AndIsAwaitedBeforeCompletion(bool dedicatedThreads)
    {
        int handled = 0;
        var queue = new WorkQueue<int>(
            new WorkQueueBatchOptions { MaxBatchSize = 4 },
            async (batch, ct) =>
            {
                await Task.Yield(); // the rest runs after the first await: the queue must wait for it
                Interlocked.Add(ref handled, batch.Length);
            },
            new WorkQueueOptions<int> { UseDedicatedThreads = dedicatedThreads });
        for (int i = 0; i < 50; i++)
        {
            queue.Add(i);
        }

        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal(50, Volatile.Read(ref handled));
        Assert.Equal(50, queue.ProcessedCount);
    }

    [Fact]
    public async Task AsyncLambdaIgnoringItsParameters_StillBindsToTheAsynchronousForm()
    {
        // Had it bound to the Action form it would be async void, which the constructor refuses.
        var queue = new WorkQueue<int>(new WorkQueueBatchOptions(), async (_, _) => await Task.Yield());
        queue.Add(1);
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal(1, queue.ProcessedCount);
    }

    [Fact]
    public async Task SyncLambda_BindsToTheSynchronousForm_AndRunsOnTheConsumerThread()
    {
        string? thread = null;
        var queue = new WorkQueue<int>(
            new WorkQueueBatchOptions(),
            (batch, ct) => thread = Thread.CurrentThread.Name,
            new WorkQueueOptions<int> { Name = "batches" });
        queue.Add(1);
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal("batches consumer", thread);
    }

    [Fact]
    public void AsyncDelegateTypedAsTheSynchronousForm_IsRefusedNamingTheFormToUse()
    {
        Action<ReadOnlyMemory<int>, CancellationToken> handler = async (batch, ct) => await Task.Yield();
        var thrown = Assert.Throws<ArgumentException>(() => new WorkQueue<int>(new WorkQueueBatchOptions(), handler));
        Assert.Equal("handler", thrown.ParamName);
        Assert.Contains("async", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("Func<ReadOnlyMemory<int>, CancellationToken, ValueTask>", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullArguments_AreRefusedNamingTheParameter()
    {
        Assert.Equal("batching", Assert.Throws<ArgumentNullException>(() => new WorkQueue<int>(null!, (batch, ct) => { })).ParamName);
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => new WorkQueue<int>(new WorkQueueBatchOptions(), (Action<ReadOnlyMemory<int>, CancellationToken>)null!)).ParamName);
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => new WorkQueue<int>(new WorkQueueBatchOptions(), (Func<ReadOnlyMemory<int>, CancellationToken, ValueTask>)null!)).ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65_537)]
    public void MaxBatchSize_OutOfRange_IsRefusedNamingTheProperty(int value)
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueueBatchOptions { MaxBatchSize = value });
        Assert.Equal("MaxBatchSize", thrown.ParamName);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(-0.001)]
    [InlineData(3_000_000_000.0)]
    public void MaxBatchDelay_NegativeOrTooLong_IsRefusedNamingTheProperty(double milliseconds)
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueueBatchOptions { MaxBatchDelay = TimeSpan.FromMilliseconds(milliseconds) });
        Assert.Equal("MaxBatchDelay", thrown.ParamName);
    }

    [Fact]
    public void MaxBatchDelay_Infinite_IsRefused()
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new WorkQueueBatchOptions { MaxBatchDelay = Timeout.InfiniteTimeSpan });
        Assert.Equal("MaxBatchDelay", thrown.ParamName);
    }

    [Fact]
    public void Options_Defaults_Are64ItemsAndNoDelay()
    {
        var options = new WorkQueueBatchOptions();
        Assert.Equal(64, options.MaxBatchSize);
        Assert.Equal(TimeSpan.Zero, options.MaxBatchDelay);
    }

    [Fact]
    public async Task Handler_AddsToItsOwnFullQueue_IsRefusedInsteadOfDeadlocking()
    {
        WorkQueue<int>? queue = null;
        var outcome = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        queue = new WorkQueue<int>(
            new WorkQueueBatchOptions { MaxBatchSize = 2 },
            (batch, ct) =>
            {
                if (batch.Span[0] != 0)
                {
                    return;
                }

                while (queue!.TryAdd(100))
                {
                }

                try
                {
                    queue.Add(101);
                    outcome.TrySetResult(null);
                }
                catch (InvalidOperationException ex)
                {
                    outcome.TrySetResult(ex);
                }
            },
            new WorkQueueOptions<int> { Capacity = 2 });
        queue.Add(0);
        Exception? refused = await outcome.Task.WaitAsync(Limit);
        Assert.IsType<InvalidOperationException>(refused);
        Assert.Contains("handler", refused!.Message, StringComparison.Ordinal);
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal(3, queue.ProcessedCount); // item 0, then the two added from the handler
    }

    [Fact]
    public async Task Handler_CompletesAndDisposesItsOwnQueue_CompleteIsFine_DisposeIsRefused()
    {
        WorkQueue<int>? queue = null;
        var disposeOutcome = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new List<int>();
        queue = new WorkQueue<int>(
            new WorkQueueBatchOptions { MaxBatchSize = 1 },
            (batch, ct) =>
            {
                handled.Add(batch.Span[0]);
                if (batch.Span[0] == 0)
                {
                    _ = queue!.CompleteAsync(); // started, not awaited: the drain waits for this handler
                    ValueTask dispose = queue.DisposeAsync();
                    disposeOutcome.TrySetResult(dispose.IsFaulted ? dispose.AsTask().Exception!.InnerException : null);
                }
            },
            new WorkQueueOptions<int> { Capacity = 8 });
        queue.Add(0);
        Exception? refused = await disposeOutcome.Task.WaitAsync(Limit);
        Assert.IsType<InvalidOperationException>(refused);
        await queue.Completion.WaitAsync(Limit);
        Assert.Equal(new List<int> { 0 }, handled);
        Assert.False(queue.TryAdd(1));
    }

    [Fact]
    public async Task Handler_NeverReturns_BoundedAbortIsCancelled_AndTheUnstartedItemsComeBackOnceItReturns()
    {
        using var release = new ManualResetEvent(false);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new WorkQueue<int>(
            new WorkQueueBatchOptions { MaxBatchSize = 2 },
            (batch, ct) =>
            {
                started.TrySetResult();
                Assert.True(release.WaitOne(Limit), "the test never released the handler"); // ignores its token
            },
            new WorkQueueOptions<int> { Capacity = 8 });
        queue.Add(0);
        await started.Task.WaitAsync(Limit);
        for (int i = 1; i <= 5; i++)
        {
            queue.Add(i);
        }

        using (var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.AbortAsync(stop.Token));
        }

        Assert.False(queue.TryAdd(6)); // aborting: nothing more is accepted
        release.Set();
        Assert.Equal(Enumerable.Range(1, 5), await queue.AbortAsync().WaitAsync(Limit));
        Assert.Equal(1, queue.ProcessedCount);
    }

    /// <summary>A clock and a delay the test drives: the queue asks for delays, the test fires them.</summary>
    private sealed class TestClock
    {
        private readonly SemaphoreSlim _requested = new(0);
        private readonly Queue<(TimeSpan Duration, TaskCompletionSource Fired)> _delays = new();
        private long _now;

        public WorkQueueBatchOptions Batching(int maxBatchSize, TimeSpan maxBatchDelay) => new()
        {
            MaxBatchSize = maxBatchSize,
            MaxBatchDelay = maxBatchDelay,
            Timestamp = () => Volatile.Read(ref _now),
            Delay = Delay,
        };

        public void SetMilliseconds(double ms) => Volatile.Write(ref _now, (long)(ms * Stopwatch.Frequency / 1000));

        public int PendingRequests => _requested.CurrentCount;

        // Whether the queue asks for a delay within the window: for checking that it does not (a bounded look, not a
        // synchronization; the verdict for a correct queue does not depend on timing).
        public Task<bool> AsksForADelayWithinAsync(TimeSpan window) => _requested.WaitAsync(window);

        public async Task<(TimeSpan Duration, TaskCompletionSource Fired)> NextDelayAsync()
        {
            Assert.True(await _requested.WaitAsync(Limit), "the queue never asked for a delay");
            lock (_delays)
            {
                return _delays.Dequeue();
            }
        }

        private Task Delay(TimeSpan duration, CancellationToken cancellationToken)
        {
            var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            cancellationToken.Register(() => fired.TrySetCanceled(cancellationToken));
            lock (_delays)
            {
                _delays.Enqueue((duration, fired));
            }

            _requested.Release();
            return fired.Task;
        }
    }

    private static void AssertMilliseconds(double expected, TimeSpan actual) =>
        Assert.InRange(actual.TotalMilliseconds, expected - 0.001, expected + 0.001);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task MaxBatchDelay_ALaterItem_DoesNotPushTheDeadlineBack(bool dedicatedThreads)
    {
        var clock = new TestClock();
        var batches = new TaskCompletionSource<int[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new WorkQueue<int>(
            clock.Batching(10, TimeSpan.FromMilliseconds(100)),
            (batch, ct) => batches.TrySetResult(batch.ToArray()),
            new WorkQueueOptions<int> { UseDedicatedThreads = dedicatedThreads });
        clock.SetMilliseconds(0);
        queue.Add(1);
        (TimeSpan first, TaskCompletionSource fire) = await clock.NextDelayAsync();
        AssertMilliseconds(100, first);
        clock.SetMilliseconds(60);
        queue.Add(2);
        Assert.False(await clock.AsksForADelayWithinAsync(TestLimits.Absence), "item 2 restarted the delay (a debounce)");
        clock.SetMilliseconds(100);
        Assert.True(fire.TrySetResult(), "the first delay was given up: item 2 restarted it (a debounce)");
        Assert.Equal(new List<int> { 1, 2 }, await batches.Task.WaitAsync(Limit));
        Assert.Equal(0, clock.PendingRequests); // item 2 started no delay of its own: the batch kept item 1's deadline
        await queue.CompleteAsync().WaitAsync(Limit);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task MaxBatchDelay_ItemsArrivingWhileTheHandlerIsBusy_WaitOnlyWhatIsLeftOfTheOldestOnesDelay(bool dedicatedThreads)
    {
        var clock = new TestClock();
        await using BusyFirstBatch busy = await BusyFirstBatch.StartAsync(clock, dedicatedThreads);
        clock.SetMilliseconds(10);
        busy.Queue.Add(1); // the oldest item of the next batch: its deadline is at 110 ms
        clock.SetMilliseconds(70);
        busy.Queue.Add(2);
        busy.Release(); // the consumer comes back at 70 ms

        (TimeSpan rest, TaskCompletionSource fireSecond) = await clock.NextDelayAsync();
        AssertMilliseconds(40, rest); // not 100 (from when the consumer looked) nor 30 (from the newest item)
        clock.SetMilliseconds(110);
        fireSecond.SetResult();
        Assert.Equal(new List<int> { 1, 2 }, await busy.SecondBatch.WaitAsync(Limit));
        await busy.Queue.CompleteAsync().WaitAsync(Limit);
    }

    [Fact]
    public async Task MaxBatchDelay_DeadlinePassedWhileTheHandlerWasBusy_TheBatchGoesOutWithoutWaiting()
    {
        var clock = new TestClock();
        await using BusyFirstBatch busy = await BusyFirstBatch.StartAsync(clock, dedicatedThreads: true); // the default
        clock.SetMilliseconds(10);
        busy.Queue.Add(1);
        clock.SetMilliseconds(200); // item 1 is 90 ms overdue when the consumer comes back
        busy.Release();
        Assert.Equal(new List<int> { 1 }, await busy.SecondBatch.WaitAsync(Limit));
        Assert.Equal(0, clock.PendingRequests);
        await busy.Queue.CompleteAsync().WaitAsync(Limit);
    }

    // A batch queue on a test clock (MaxBatchSize 10, MaxBatchDelay 100 ms) whose handler is busy with the first batch
    // (item 0, added at 0 ms and handed over when its delay fired) until Release; the next batch is captured.
    private sealed class BusyFirstBatch : IAsyncDisposable
    {
        private readonly ManualResetEvent _release = new(false);
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<int[]> _second = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private BusyFirstBatch(TestClock clock, bool dedicatedThreads)
        {
            Queue = new WorkQueue<int>(
                clock.Batching(10, TimeSpan.FromMilliseconds(100)),
                (batch, ct) =>
                {
                    if (batch.Span[0] == 0)
                    {
                        _started.TrySetResult();
                        Assert.True(_release.WaitOne(Limit), "the test never released the handler");
                    }
                    else
                    {
                        _second.TrySetResult(batch.ToArray());
                    }
                },
                new WorkQueueOptions<int> { UseDedicatedThreads = dedicatedThreads });
        }

        public WorkQueue<int> Queue { get; }

        public Task<int[]> SecondBatch => _second.Task;

        public static async Task<BusyFirstBatch> StartAsync(TestClock clock, bool dedicatedThreads)
        {
            var busy = new BusyFirstBatch(clock, dedicatedThreads);
            clock.SetMilliseconds(0);
            busy.Queue.Add(0);
            (TimeSpan _, TaskCompletionSource fireFirst) = await clock.NextDelayAsync();
            fireFirst.SetResult();
            await busy._started.Task.WaitAsync(Limit);
            return busy;
        }

        public void Release() => _release.Set();

        // The handler is released in any case, so a failed test leaves no consumer blocked; the queue is the test's.
        public ValueTask DisposeAsync()
        {
            _release.Set();
            _release.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
