using Microsoft.Coyote.Specifications;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>
/// Liveness of the producer wake-up rule of <see cref="WorkQueue{T}"/> under every interleaving Coyote picks: a
/// handler waits for an item that a producer blocked on the full queue has yet to add.
/// </summary>
public sealed class WorkQueueWakeCoyoteTests(ITestOutputHelper output)
{
    private const int Capacity = 4;

    // One producer adds items 0..Capacity (one more than fit); the handler of item 0 waits until the producer's last
    // item has been accepted. That item only fits once item 0 has started, so the producer must be woken then.
    private static async Task HandlerWaitsForBlockedProducerAsync(int? producerWakeThreshold)
    {
        var lastAccepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new List<int>();
        var options = producerWakeThreshold is int threshold
            ? new WorkQueueOptions<int> { Capacity = Capacity, Consumers = 1, UseDedicatedThreads = false, ProducerWakeThreshold = threshold }
            : new WorkQueueOptions<int> { Capacity = Capacity, Consumers = 1, UseDedicatedThreads = false };
        var queue = new WorkQueue<int>(
            async (item, _) =>
            {
                if (item == 0)
                {
                    await lastAccepted.Task;
                }

                lock (handled)
                {
                    handled.Add(item);
                }
            },
            options);
        Task? adding = null;
        await Task.Run(() =>
        {
            adding = AddAllAsync(queue, lastAccepted);
        });
        await adding!;
        await queue.CompleteAsync();
        Specification.Assert(handled.Count == Capacity + 1, $"handled {handled.Count} items, expected {Capacity + 1}.");
        Specification.Assert(handled.Order().SequenceEqual(Enumerable.Range(0, Capacity + 1)), "every item handled exactly once.");
    }

    private static async Task AddAllAsync(WorkQueue<int> queue, TaskCompletionSource lastAccepted)
    {
        for (int i = 0; i <= Capacity; i++)
        {
            await queue.AddAsync(i);
        }

        lastAccepted.SetResult();
    }

    [Fact]
    public void AddAsync_BlockedOnFullQueueWithDefaultThreshold_AcceptedOnceAConsumerStartsAnItem()
    {
        CoyoteRun.ExpectNoBug(() => HandlerWaitsForBlockedProducerAsync(producerWakeThreshold: null), output);
    }

    [Fact]
    public void AddAsync_BlockedOnFullQueueWithBatchedThreshold_DeadlockIsCaught()
    {
        // The documented hazard of a threshold above 1: the consumer took items 0..3 in one batch, item 0 frees one
        // slot (fewer than the threshold, not the end of the batch), so the producer stays blocked and item 0 waits
        // for it forever. Proves the scenario above can fail.
        CoyoteRun.ExpectBug(() => HandlerWaitsForBlockedProducerAsync(producerWakeThreshold: Capacity), output);
    }
}
