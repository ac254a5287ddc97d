using Microsoft.Coyote.Specifications;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>
/// Systematic exploration of <see cref="WorkQueue{T}"/> batch handlers: the oldest-item deadline (a <c>Task.Delay</c>,
/// which Coyote's rewriting turns into a controlled scheduling point) racing producers, completion and abort.
/// </summary>
public sealed class WorkQueueBatchCoyoteTests(ITestOutputHelper output)
{
    private const int MaxBatchSize = 3;
    private const uint Iterations = 400;

    private static WorkQueueBatchOptions Batching(Func<TimeSpan, CancellationToken, Task>? delay = null) => new()
    {
        MaxBatchSize = MaxBatchSize,
        MaxBatchDelay = TimeSpan.FromMilliseconds(10),
        Delay = delay,
    };

    private static WorkQueueOptions<int> PoolOptions(int capacity, int consumers) =>
        new() { Capacity = capacity, Consumers = consumers, UseDedicatedThreads = false };

    /// <summary>Records the items of every batch, asserting that none comes twice and no batch is too large.</summary>
    private sealed class Recorder
    {
        private readonly int _expected;

        public Recorder(int expected) => _expected = expected;

        public List<int> Handled { get; } = [];

        public TaskCompletionSource AllSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Record(ReadOnlyMemory<int> batch)
        {
            Specification.Assert(batch.Length is > 0 and <= MaxBatchSize, $"a batch of {batch.Length} items");
            lock (Handled)
            {
                foreach (int item in batch.Span)
                {
                    Specification.Assert(!Handled.Contains(item), $"item {item} was handled twice");
                    Handled.Add(item);
                }

                if (Handled.Count == _expected)
                {
                    AllSeen.TrySetResult();
                }
            }
        }
    }

    // Two producers add 2 items each (4 is not a multiple of the batch size 3), then wait, without completing the queue,
    // until every item was handled: a partial batch held back waiting for more items leaves this scenario stuck, which
    // Coyote reports as a deadlock.
    private static async Task<WorkQueue<int>> TrickleWithoutCompletionAsync(WorkQueueBatchOptions batching, int consumers)
    {
        var recorder = new Recorder(expected: 4);
        var queue = new WorkQueue<int>(batching, (batch, _) => recorder.Record(batch), PoolOptions(capacity: 4, consumers));
        Task<List<int>> first = WorkQueueCoyoteTests.Actor(() => WorkQueueCoyoteTests.ProduceAsync(queue, 0, 2));
        Task<List<int>> second = WorkQueueCoyoteTests.Actor(() => WorkQueueCoyoteTests.ProduceAsync(queue, 10, 2));
        await first;
        await second;
        await recorder.AllSeen.Task; // no CompleteAsync: the last partial batch must go out by its deadline
        await queue.CompleteAsync();
        return queue;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void MaxBatchDelay_PartialBatchWithNoMoreItemsComing_IsHandedOverWithoutCompletion(int consumers)
    {
        int deadlines = 0;
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                WorkQueue<int> queue = await TrickleWithoutCompletionAsync(Batching(), consumers);
                Interlocked.Add(ref deadlines, queue.DeadlinesPassed);
            },
            output,
            Iterations);
        output.WriteLine($"{deadlines} gatherings ended by their deadline");
        Assert.True(deadlines > 0, "no schedule ever ended a gathering by its deadline: the delay was not explored");
    }

    [Fact]
    public void BrokenVariant_ADelayThatNeverFires_HoldsThePartialBatch_AndCoyoteReportsIt()
    {
        // The same scenario with a deadline that never comes: the partial batch waits for items that never arrive.
        CoyoteRun.ExpectBug(
            async () => await TrickleWithoutCompletionAsync(Batching(delay: (_, _) => new TaskCompletionSource().Task), consumers: 1),
            output,
            iterations: 50);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void CompleteAsync_RacingProducersAndGathering_HandsOverEveryAcceptedItemExactlyOnce(int consumers)
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var recorder = new Recorder(expected: -1);
                var queue = new WorkQueue<int>(
                    Batching(),
                    async (batch, _) =>
                    {
                        await Task.Yield();
                        recorder.Record(batch);
                    },
                    PoolOptions(capacity: 4, consumers));
                Task<List<int>> first = WorkQueueCoyoteTests.Actor(() => WorkQueueCoyoteTests.ProduceAsync(queue, 0, 3));
                Task<List<int>> second = WorkQueueCoyoteTests.Actor(() => WorkQueueCoyoteTests.ProduceAsync(queue, 10, 2));
                Task completer = Task.Run(() => { _ = queue.CompleteAsync(); });
                List<int> accepted = [.. await first, .. await second];
                await completer;
                await queue.Completion;
                WorkQueueCoyoteTests.AssertSameItems(accepted, recorder.Handled, "handled after the drain");
                if (consumers == 1)
                {
                    int[] fromFirst = [.. recorder.Handled.Where(i => i < 10)];
                    Specification.Assert(fromFirst.SequenceEqual(fromFirst.Order()), $"one consumer handed items out of order: [{string.Join(",", recorder.Handled)}]");
                }
            },
            output,
            Iterations);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AbortAsync_RacingProducersAndGathering_EveryAcceptedItemIsHandledOrHandedBackExactlyOnce(int consumers)
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var recorder = new Recorder(expected: -1);
                var queue = new WorkQueue<int>(
                    Batching(),
                    async (batch, token) =>
                    {
                        await Task.Yield();
                        token.ThrowIfCancellationRequested(); // an aborted batch is handed back whole
                        recorder.Record(batch);
                    },
                    PoolOptions(capacity: 4, consumers));
                Task<List<int>> first = WorkQueueCoyoteTests.Actor(() => WorkQueueCoyoteTests.ProduceAsync(queue, 0, 3));
                Task<List<int>> second = WorkQueueCoyoteTests.Actor(() => WorkQueueCoyoteTests.ProduceAsync(queue, 10, 2));
                Task<IReadOnlyList<int>>? abort = null;
                Task aborter = Task.Run(() => { abort = queue.AbortAsync(); });
                List<int> accepted = [.. await first, .. await second];
                await aborter;
                IReadOnlyList<int> back = await abort!;
                await queue.Completion;
                Specification.Assert(back.Distinct().Count() == back.Count, $"an item was handed back twice: [{string.Join(",", back)}]");
                WorkQueueCoyoteTests.AssertSameItems(accepted, recorder.Handled.Concat(back), $"handled [{string.Join(",", recorder.Handled)}] + handed back [{string.Join(",", back)}]");
                int[] backFromFirst = [.. back.Where(i => i < 10)];
                Specification.Assert(backFromFirst.SequenceEqual(backFromFirst.Order()), $"items handed back out of FIFO order: [{string.Join(",", back)}]");
            },
            output,
            Iterations);
    }
}
