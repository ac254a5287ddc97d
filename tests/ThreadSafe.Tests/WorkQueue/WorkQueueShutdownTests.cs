using System.Collections.Concurrent;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.WorkQueue;

/// <summary>Shutdown of <see cref="WorkQueue{T}"/> when user code misbehaves: throwing token callbacks, handlers that never return.</summary>
public sealed class WorkQueueShutdownTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AbortAsync_TokenCallbackThrows_EveryoneWakesAndTheTaskCarriesTheItemsAndTheException(bool dedicatedThreads)
    {
        var fromCallback = new InvalidOperationException("from a callback on the abort token");
        var inHand = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new WorkQueue<int>(
            async (item, token) =>
            {
                if (item == 0)
                {
                    token.Register(() => throw fromCallback);
                    inHand.TrySetResult();
                    await Task.Delay(Timeout.Infinite, token);
                }
            },
            new WorkQueueOptions<int> { Capacity = 1, Consumers = 2, UseDedicatedThreads = dedicatedThreads });
        queue.Add(0);
        await inHand.Task.WaitAsync(TestLimits.Wait);
        queue.Add(1); // the other consumer handles it and then goes idle
        await Poll.UntilAsync(() => queue.ProcessedCount == 1, "item 1 is handled");
        queue.Add(2); // the idle consumer may take it: either way it is handled or handed back
        Task<IReadOnlyList<int>> abort = Task.FromResult<IReadOnlyList<int>>([]);
        Exception? thrown = Record.Exception(() => { abort = queue.AbortAsync(); });
        Assert.Null(thrown); // the callback's exception must not escape past the state change

        var fault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => abort.WaitAsync(TestLimits.Wait));
        Assert.Contains(fromCallback, Flatten(fault.InnerException));
        Assert.Same(abort, queue.AbortAsync());
        var completionFault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => queue.Completion.WaitAsync(TestLimits.Wait));
        Assert.Same(fault, completionFault);
        Assert.Equal(0, fault.Unprocessed[0]); // the in-hand item honoured the token: handed back, first
        Assert.Equal(3, fault.Unprocessed.Count + queue.ProcessedCount);
        Assert.Throws<InvalidOperationException>(() => queue.Add(3));
    }

    [Fact]
    public async Task AbortAsync_TokenCallbackThrows_BlockedProducerIsWokenAndThrows()
    {
        var inHand = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new WorkQueue<int>(
            async (item, token) =>
            {
                token.Register(() => throw new InvalidOperationException("callback"));
                inHand.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
            },
            new WorkQueueOptions<int> { Capacity = 1 });
        queue.Add(0);
        await inHand.Task.WaitAsync(TestLimits.Wait);
        queue.Add(1);
        Exception? producerError = null;
        var producer = TestThread.Start(() => producerError = Record.Exception(() => queue.Add(2)), "producer");
        await Poll.UntilAsync(() => queue.WaitingProducers == 1, "the producer waits");
        Task<IReadOnlyList<int>>? abort = null;
        Assert.Null(Record.Exception(() => { abort = queue.AbortAsync(); }));
        producer.Join(); // fails if the blocked producer is never woken
        Assert.IsType<InvalidOperationException>(producerError);
        var fault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => abort!.WaitAsync(TestLimits.Wait));
        Assert.Equal(new List<int> { 0, 1 }, fault.Unprocessed);
    }

    [Fact]
    public async Task CompleteAsyncWithToken_Cancelled_StopsWaitingOnly_TheQueueStillDrainsEveryItemOnce()
    {
        WorkQueueTests.HeldQueue held = await WorkQueueTests.HeldQueue.WaitingAsync(waiting: 4, capacity: 10);
        WorkQueue<int> queue = held.Queue;

        using var cts = new CancellationTokenSource();
        Task bounded = queue.CompleteAsync(cts.Token);
        Assert.False(bounded.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bounded.WaitAsync(TestLimits.Wait));
        Assert.False(queue.Completion.IsCompleted);
        Assert.Throws<InvalidOperationException>(() => queue.Add(99)); // still completing
        held.Release();
        await queue.Completion.WaitAsync(TestLimits.Wait);
        Assert.Equal(Enumerable.Range(0, 5), held.Handled);
    }

    [Fact]
    public async Task AbortAsyncWithToken_HandlerNeverReturns_StopsWaiting_ThenTheSameOutcomeArrivesOnce()
    {
        WorkQueueTests.HeldQueue held = await WorkQueueTests.HeldQueue.WaitingAsync(waiting: 4, capacity: 10);
        WorkQueue<int> queue = held.Queue;

        using var cts = new CancellationTokenSource();
        Task<IReadOnlyList<int>> bounded = queue.AbortAsync(cts.Token);
        cts.Cancel(); // the handler in hand does not return: the caller stops waiting
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bounded.WaitAsync(TestLimits.Wait));
        Task<IReadOnlyList<int>> abort = queue.AbortAsync();
        Assert.False(abort.IsCompleted);
        held.Release();
        Assert.Equal(Enumerable.Range(1, 4), await abort.WaitAsync(TestLimits.Wait));
        Assert.Equal(new List<int> { 0 }, held.Handled);
    }

    [Fact]
    public async Task CompleteAsyncWithToken_NotCancelled_CompletesLikeCompletion()
    {
        var queue = new WorkQueue<int>(_ => throw new InvalidOperationException("boom"));
        queue.Add(1);
        using var cts = new CancellationTokenSource();
        var fault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => queue.CompleteAsync(cts.Token).WaitAsync(TestLimits.Wait));
        Assert.Equal(1, fault.FailedItem);
    }

    [Fact]
    public async Task AddFromOwnHandler_QueueFullAndNoOtherConsumer_ThrowsInsteadOfHanging()
    {
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var full = new ManualResetEvent(false);
        WorkQueue<int>? queue = null;
        queue = new WorkQueue<int>(
            item =>
            {
                if (item != 0)
                {
                    return;
                }

                Assert.True(full.WaitOne(TestLimits.Wait));
                using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(5)); // only detects a hang
                try
                {
                    queue!.Add(100, hang.Token);
                    outcome.TrySetResult("accepted");
                }
                catch (InvalidOperationException ex)
                {
                    outcome.TrySetResult(ex.Message);
                }
                catch (OperationCanceledException)
                {
                    outcome.TrySetResult("hung");
                }
            },
            new WorkQueueOptions<int> { Capacity = 1 });
        queue.Add(0);
        await Poll.UntilAsync(() => queue.Count == 0, "item 0 is in hand"); // item 0 in hand...
        queue.Add(1); // ...and the queue full
        full.Set();
        string message = await outcome.Task.WaitAsync(TestLimits.Wait);
        Assert.Contains("from a handler", message, StringComparison.Ordinal);
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
    }

    [Fact]
    public async Task DisposeAsyncFromOwnHandler_ThrowsInsteadOfWaitingForItself_AndCompletesTheQueue()
    {
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        WorkQueue<int>? queue = null;
        queue = new WorkQueue<int>(item =>
        {
            Task disposing = queue!.DisposeAsync().AsTask();
            try
            {
                outcome.TrySetResult(disposing.Wait(TimeSpan.FromSeconds(5)) ? "completed" : "hung"); // the bound only detects a hang
            }
            catch (AggregateException ex) when (ex.InnerException is InvalidOperationException inner)
            {
                outcome.TrySetResult(inner.Message);
            }
        });
        queue.Add(1);
        Assert.Contains("from one of its own handlers", await outcome.Task.WaitAsync(TestLimits.Wait), StringComparison.Ordinal);
        await queue.Completion.WaitAsync(TestLimits.Wait);
        Assert.False(queue.TryAdd(2));
    }

    internal static IEnumerable<Exception> Flatten(Exception? exception) => exception switch
    {
        null => [],
        AggregateException aggregate => aggregate.Flatten().InnerExceptions,
        _ => [exception],
    };
}
