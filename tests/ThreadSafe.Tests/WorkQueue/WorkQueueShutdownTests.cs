using System.Collections.Concurrent;

namespace ThreadSafe.Tests.WorkQueue;

/// <summary>Shutdown of <see cref="WorkQueue{T}"/> when user code misbehaves: throwing token callbacks, handlers that never return.</summary>
public sealed class WorkQueueShutdownTests
{
    private static readonly TimeSpan Limit = WorkQueueTests.Limit;

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
        await inHand.Task.WaitAsync(Limit);
        queue.Add(1); // the other consumer handles it and then goes idle
        await WorkQueueTests.WaitUntil(() => queue.ProcessedCount == 1);
        queue.Add(2); // the idle consumer may take it: either way it is handled or handed back
        Task<IReadOnlyList<int>> abort = Task.FromResult<IReadOnlyList<int>>([]);
        Exception? thrown = Record.Exception(() => { abort = queue.AbortAsync(); });
        Assert.Null(thrown); // the callback's exception must not escape past the state change

        var fault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => abort.WaitAsync(Limit));
        Assert.Contains(fromCallback, Flatten(fault.InnerException));
        Assert.Same(abort, queue.AbortAsync());
        var completionFault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => queue.Completion.WaitAsync(Limit));
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
        await inHand.Task.WaitAsync(Limit);
        queue.Add(1);
        Exception? producerError = null;
        var producer = new Thread(() => producerError = Record.Exception(() => queue.Add(2))) { IsBackground = true };
        producer.Start();
        await WorkQueueTests.WaitUntil(() => queue.WaitingProducers == 1);
        Task<IReadOnlyList<int>>? abort = null;
        Assert.Null(Record.Exception(() => { abort = queue.AbortAsync(); }));
        Assert.True(producer.Join(Limit), "the blocked producer was never woken");
        Assert.IsType<InvalidOperationException>(producerError);
        var fault = await Assert.ThrowsAsync<WorkQueueFaultedException<int>>(() => abort!.WaitAsync(Limit));
        Assert.Equal(new List<int> { 0, 1 }, fault.Unprocessed);
    }

    internal static IEnumerable<Exception> Flatten(Exception? exception) => exception switch
    {
        null => [],
        AggregateException aggregate => aggregate.Flatten().InnerExceptions,
        _ => [exception],
    };
}
