using System.Collections.Concurrent;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.WorkQueue;

/// <summary>Batch handlers of <see cref="WorkQueue{T}"/> on real threads: batch sizes, flush on complete, abort, the error rule.</summary>
public sealed class WorkQueueBatchTests
{
    private static readonly TimeSpan Limit = TestLimits.Wait;

    private static WorkQueueBatchOptions Batching(int maxBatchSize, TimeSpan maxBatchDelay) =>
        new() { MaxBatchSize = maxBatchSize, MaxBatchDelay = maxBatchDelay };

    /// <summary>Records every batch; the first call blocks until released, so tests control what waits behind it.</summary>
    private sealed class BatchRecorder : IDisposable
    {
        private readonly ManualResetEvent _release = new(false);
        private int _calls;

        public BatchRecorder(bool blockFirst)
        {
            if (!blockFirst)
            {
                _release.Set();
            }
        }

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<int[]> Batches { get; } = new();

        public IEnumerable<int> Items => Batches.SelectMany(b => b);

        public void Handle(ReadOnlyMemory<int> batch, CancellationToken cancellationToken)
        {
            int[] copy = batch.ToArray(); // the memory is valid only during the call
            if (Interlocked.Increment(ref _calls) == 1)
            {
                Started.TrySetResult();
                Assert.True(_release.WaitOne(Limit), "the test never released the handler");
            }

            Batches.Enqueue(copy);
        }

        public void Release() => _release.Set();

        public void Dispose() => _release.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BatchHandler_ItemsQueuedBehindABusyHandler_ArriveInFifoOrderInFullBatches(bool dedicatedThreads)
    {
        using var recorder = new BatchRecorder(blockFirst: true);
        var queue = new WorkQueue<int>(Batching(8, TimeSpan.Zero), recorder.Handle, new WorkQueueOptions<int> { Capacity = 100, UseDedicatedThreads = dedicatedThreads });
        queue.Add(0);
        await recorder.Started.Task.WaitAsync(Limit);
        for (int i = 1; i <= 40; i++)
        {
            queue.Add(i);
        }

        recorder.Release();
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal(Enumerable.Range(0, 41), recorder.Items);
        int[] sizes = [.. recorder.Batches.Select(b => b.Length)];
        Assert.Equal(new List<int> { 1, 8, 8, 8, 8, 8 }, sizes);
        Assert.Equal(41, queue.ProcessedCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CompleteAsync_FlushesThePartialBatch_LongBeforeItsDeadline(bool dedicatedThreads)
    {
        using var recorder = new BatchRecorder(blockFirst: false);
        var queue = new WorkQueue<int>(Batching(10, TimeSpan.FromHours(1)), recorder.Handle, new WorkQueueOptions<int> { UseDedicatedThreads = dedicatedThreads });
        queue.Add(1);
        queue.Add(2);
        queue.Add(3);
        Assert.Empty(recorder.Batches); // an hour's delay: nothing can have been handed over yet
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal(new List<int> { 1, 2, 3 }, recorder.Items);
        Assert.Single(recorder.Batches);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task MaxBatchDelay_PartialBatch_IsHandedOverWithoutMoreItemsNorCompletion(bool dedicatedThreads)
    {
        var seen = new TaskCompletionSource<int[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new WorkQueue<int>(
            Batching(10, TimeSpan.FromMilliseconds(20)),
            (batch, _) => seen.TrySetResult(batch.ToArray()),
            new WorkQueueOptions<int> { UseDedicatedThreads = dedicatedThreads });
        queue.Add(7);
        queue.Add(8);
        int[] first = await seen.Task.WaitAsync(Limit);
        Assert.Equal(new List<int> { 7, 8 }, first);
        Assert.True(queue.DeadlinesPassed >= 1, "the batch went out without its deadline passing");
        await queue.CompleteAsync().WaitAsync(Limit);
    }

    [Fact]
    public async Task MaxBatchSize_LargerThanCapacity_IsClampedSoAFullQueueIsAFullBatch()
    {
        var seen = new TaskCompletionSource<int[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new WorkQueue<int>(
            Batching(64, TimeSpan.FromHours(1)),
            (batch, _) => seen.TrySetResult(batch.ToArray()),
            new WorkQueueOptions<int> { Capacity = 4 });
        for (int i = 0; i < 4; i++)
        {
            queue.Add(i);
        }

        Assert.Equal(Enumerable.Range(0, 4), await seen.Task.WaitAsync(Limit)); // full at 4: no hour-long wait
        await queue.CompleteAsync().WaitAsync(Limit);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AbortAsync_WhileABatchIsGathered_HandsBackThePartialBatch(bool dedicatedThreads)
    {
        using var recorder = new BatchRecorder(blockFirst: false);
        var queue = new WorkQueue<int>(Batching(10, TimeSpan.FromHours(1)), recorder.Handle, new WorkQueueOptions<int> { UseDedicatedThreads = dedicatedThreads });
        queue.Add(1);
        queue.Add(2);
        queue.Add(3);
        IReadOnlyList<int> back = await queue.AbortAsync().WaitAsync(Limit);
        Assert.Equal(new List<int> { 1, 2, 3 }, back);
        Assert.Empty(recorder.Batches);
        await queue.Completion.WaitAsync(Limit);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AbortAsync_WhileABatchRuns_FinishesItAndHandsBackTheItemsBehindIt(bool dedicatedThreads)
    {
        using var recorder = new BatchRecorder(blockFirst: true);
        var queue = new WorkQueue<int>(Batching(4, TimeSpan.Zero), recorder.Handle, new WorkQueueOptions<int> { Capacity = 16, UseDedicatedThreads = dedicatedThreads });
        queue.Add(0);
        await recorder.Started.Task.WaitAsync(Limit);
        for (int i = 1; i <= 6; i++)
        {
            queue.Add(i);
        }

        Task<IReadOnlyList<int>> abort = queue.AbortAsync();
        recorder.Release();
        Assert.Equal(Enumerable.Range(1, 6), await abort.WaitAsync(Limit));
        Assert.Equal(new List<int> { 0 }, recorder.Items);
        Assert.Equal(1, queue.ProcessedCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AbortAsync_HandlerStopsThroughItsToken_ItsWholeBatchIsHandedBackFirst(bool dedicatedThreads)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new WorkQueue<int>(
            Batching(4, TimeSpan.Zero),
            async (batch, ct) =>
            {
                started.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct); // stops only when the queue is aborted
            },
            new WorkQueueOptions<int> { Capacity = 16, UseDedicatedThreads = dedicatedThreads });
        for (int i = 0; i < 4; i++)
        {
            queue.Add(i);
        }

        await started.Task.WaitAsync(Limit);
        for (int i = 4; i < 7; i++)
        {
            queue.Add(i);
        }

        IReadOnlyList<int> back = await queue.AbortAsync().WaitAsync(Limit);
        Assert.Equal(Enumerable.Range(0, 7), back);
        Assert.Equal(0, queue.ProcessedCount);
        Assert.Equal(0, queue.FailedCount);
        await queue.Completion.WaitAsync(Limit); // not a failure: the queue did not fault
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HandlerThrows_WithoutOnError_FaultsWithEveryItemOfTheBatchFailed(bool dedicatedThreads)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new WorkQueue<int>(
            Batching(3, TimeSpan.FromHours(1)), // the first batch goes out when full: [0, 1, 2]
            async (batch, ct) =>
            {
                started.TrySetResult();
                await release.Task;
                throw new InvalidOperationException($"batch of {batch.Length}");
            },
            new WorkQueueOptions<int> { Capacity = 16, UseDedicatedThreads = dedicatedThreads });
        for (int i = 0; i < 3; i++)
        {
            queue.Add(i);
        }

        await started.Task.WaitAsync(Limit);
        for (int i = 3; i < 6; i++)
        {
            queue.Add(i);
        }

        release.SetResult();
        var fault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => queue.Completion.WaitAsync(Limit));
        Assert.Equal(Enumerable.Range(0, 3), fault.FailedItems);
        Assert.Equal(Enumerable.Range(3, 3), fault.Unprocessed);
        Assert.Equal("batch of 3", fault.InnerException!.Message);
        Assert.Equal(3, queue.FailedCount);
        Assert.False(queue.TryAdd(9));
    }

    [Fact]
    public async Task HandlerThrows_WithOnError_ReportsEachItemOfTheBatchWithTheSameException_AndGoesOn()
    {
        var reported = new ConcurrentQueue<(int Item, Exception Error)>();
        using var recorder = new BatchRecorder(blockFirst: false);
        var queue = new WorkQueue<int>(
            Batching(3, TimeSpan.Zero),
            (batch, ct) =>
            {
                if (batch.Span[0] == 0)
                {
                    throw new InvalidOperationException("first batch");
                }

                recorder.Handle(batch, ct);
            },
            new WorkQueueOptions<int> { OnError = (item, ex) => reported.Enqueue((item, ex)) });
        for (int i = 0; i < 3; i++)
        {
            queue.Add(i); // may go out as one batch or several: only batches starting with 0 throw
        }

        await queue.CompleteAsync().WaitAsync(Limit);
        int failed = reported.Count;
        Assert.True(failed >= 1);
        Assert.Single(reported.Select(r => r.Error).Distinct()); // one exception, once per item of its batch
        Assert.Equal(Enumerable.Range(0, 3), reported.Select(r => r.Item).Concat(recorder.Items));
        Assert.Equal(failed, queue.FailedCount);
        Assert.Equal(3 - failed, queue.ProcessedCount);
    }

    [Fact]
    public async Task OnErrorThrows_FaultsWithThatItemAndTheRestOfTheBatchFailed()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reported = new ConcurrentQueue<int>();
        var queue = new WorkQueue<int>(
            Batching(4, TimeSpan.Zero),
            async (batch, ct) =>
            {
                started.TrySetResult();
                await release.Task;
                throw new InvalidOperationException("handler");
            },
            new WorkQueueOptions<int>
            {
                OnError = (item, ex) =>
                {
                    reported.Enqueue(item);
                    if (item == 2)
                    {
                        throw new InvalidOperationException("onError");
                    }
                },
            });
        queue.Add(0);
        await started.Task.WaitAsync(Limit);
        for (int i = 1; i <= 4; i++)
        {
            queue.Add(i);
        }

        release.SetResult();
        var fault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => queue.Completion.WaitAsync(Limit));

        // Batch [0] failed and was reported; batch [1, 2, 3, 4] failed, OnError took 1 and threw on 2.
        Assert.Equal(new List<int> { 0, 1, 2 }, reported);
        Assert.Equal(new List<int> { 2, 3, 4 }, fault.FailedItems);
        var both = Assert.IsType<AggregateException>(fault.InnerException);
        Assert.Equal("onError", both.InnerExceptions[0].Message);
        Assert.Equal("handler", both.InnerExceptions[1].Message);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 1)]
    [InlineData(true, 64)]
    public async Task ManyProducersAndConsumers_EveryItemIsHandledExactlyOnce_InBatchesNoLargerThanMaxBatchSize(bool dedicatedThreads, int wakeThreshold)
    {
        const int Producers = 3, PerProducer = 3000;
        var seen = new ConcurrentDictionary<int, int>();
        int largest = 0;
        var queue = new WorkQueue<int>(
            Batching(16, TimeSpan.FromMilliseconds(1)),
            (batch, _) =>
            {
                AtomicMax.Raise(ref largest, batch.Length);
                foreach (int item in batch.Span)
                {
                    seen.AddOrUpdate(item, 1, (_, n) => n + 1);
                }
            },
            new WorkQueueOptions<int> { Capacity = 32, Consumers = 2, UseDedicatedThreads = dedicatedThreads, ProducerWakeThreshold = wakeThreshold });
        Task[] producers = [.. Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            for (int i = 0; i < PerProducer; i++)
            {
                int item = (p * PerProducer) + i;
                if (i % 2 == 0)
                {
                    queue.Add(item);
                }
                else
                {
                    await queue.AddAsync(item);
                }
            }
        }))];
        await Task.WhenAll(producers).WaitAsync(Limit);
        await queue.CompleteAsync().WaitAsync(Limit);
        Assert.Equal(Producers * PerProducer, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.InRange(largest, 1, 16);
        Assert.Equal(Producers * PerProducer, queue.ProcessedCount);
    }
}
