using System.Collections.Concurrent;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.ChannelWriter;

/// <summary>
/// A queue with one consumer whose handler blocks on the first item until <see cref="Open"/>, so a test decides when
/// the queue is full and when room appears. Every wait has a timeout: a bug fails the test instead of hanging it.
/// </summary>
internal sealed class GatedQueue : IAsyncDisposable
{
    private readonly ManualResetEvent _gate = new(false);
    private int _calls;

    public GatedQueue(int capacity, bool dedicatedThreads = false)
    {
        Queue = new WorkQueue<int>(Handle, new WorkQueueOptions<int> { Capacity = capacity, UseDedicatedThreads = dedicatedThreads });
    }

    public WorkQueue<int> Queue { get; }

    public System.Threading.Channels.ChannelWriter<int> Writer => Queue.Writer;

    public ConcurrentQueue<int> Handled { get; } = new();

    /// <summary>Completes when the consumer is blocked in the handler of the first item.</summary>
    public TaskCompletionSource FirstItemInHand { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Writes item <paramref name="inHand"/> (held by the blocked consumer) and then fills every slot.</summary>
    public static async Task<GatedQueue> CreateFullAsync(int capacity, int inHand = -1)
    {
        var gated = new GatedQueue(capacity);
        Assert.True(gated.Writer.TryWrite(inHand));
        await gated.FirstItemInHand.Task.WaitAsync(TestLimits.Wait);
        for (int i = 0; i < capacity; i++)
        {
            Assert.True(gated.Writer.TryWrite(-2 - i));
        }

        Assert.Equal(capacity, gated.Queue.Count);
        return gated;
    }

    public void Open() => _gate.Set();

    /// <summary>The writer's poison pill: completes the writer and waits until the consumer has handled every accepted item.</summary>
    public async Task CompleteAndDrainAsync()
    {
        Writer.Complete();
        await Queue.Completion.WaitAsync(TestLimits.Wait);
    }

    public async ValueTask DisposeAsync()
    {
        Open();
        _ = Queue.CompleteAsync();
        try
        {
            await Queue.Completion.WaitAsync(TestLimits.Wait);
        }
        finally
        {
            _gate.Dispose();
        }
    }

    private void Handle(int item)
    {
        if (Interlocked.Increment(ref _calls) == 1)
        {
            FirstItemInHand.TrySetResult();
            Assert.True(_gate.WaitOne(TestLimits.Wait), "the test never opened the gate");
        }

        Handled.Enqueue(item);
    }
}
