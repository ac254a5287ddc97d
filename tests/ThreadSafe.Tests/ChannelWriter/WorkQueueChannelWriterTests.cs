using System.Collections.Concurrent;
using System.Threading.Channels;
using ThreadSafe.Testing;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.ChannelWriter;

/// <summary>
/// The <see cref="ChannelWriter{T}"/> contract, as System.Threading.Channels' own tests check it for the writer of a
/// bounded channel (ChannelTestBase, BoundedChannelTests), run against <see cref="WorkQueue{T}.Writer"/>. A queue has
/// no reader: "reading" is a consumer starting an item, which the tests control with <see cref="GatedQueue"/>.
/// </summary>
/// <remarks>Each ValueTask is turned into a Task at the call: this assembly is rewritten by Coyote, and a ValueTask held in
/// a local of rewritten code can make an invalid program (docs/design.md).</remarks>
public sealed class WorkQueueChannelWriterTests
{
    [Fact]
    public async Task Writer_EveryCall_ReturnsTheSameInstance()
    {
        await using var gated = new GatedQueue(4);
        Assert.Same(gated.Queue.Writer, gated.Queue.Writer);
    }

    [Fact]
    public async Task TryComplete_Twice_ReturnsTrueThenFalse()
    {
        await using var gated = new GatedQueue(4);
        Assert.True(gated.Writer.TryComplete());
        Assert.False(gated.Writer.TryComplete());
        Assert.False(gated.Writer.TryComplete(new FormatException()));
    }

    [Fact]
    public async Task Complete_Twice_ThrowsInvalidOperationException()
    {
        await using var gated = new GatedQueue(4);
        gated.Writer.Complete();
        Assert.ThrowsAny<InvalidOperationException>(() => gated.Writer.Complete());
    }

    [Fact]
    public async Task TryComplete_AfterCompleteAsync_ReturnsFalse()
    {
        await using var gated = new GatedQueue(4);
        _ = gated.Queue.CompleteAsync();
        Assert.False(gated.Writer.TryComplete());
    }

    [Fact]
    public async Task TryComplete_IsThePoisonPill_AcceptedItemsAreDrainedBeforeCompletion()
    {
        await using var gated = new GatedQueue(8);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(gated.Writer.TryWrite(i));
        }

        Assert.True(gated.Writer.TryComplete());
        Assert.False(gated.Queue.Completion.IsCompleted);
        gated.Open();
        await gated.Queue.Completion.WaitAsync(TestLimits.Wait);
        Assert.Equal(Enumerable.Range(0, 5), gated.Handled);
    }

    [Fact]
    public async Task TryComplete_WithException_StillDrainsAcceptedItems_AndCompletionSucceeds()
    {
        await using var gated = new GatedQueue(8);
        Assert.True(gated.Writer.TryWrite(1));
        Assert.True(gated.Writer.TryWrite(2));
        Assert.True(gated.Writer.TryComplete(new FormatException()));
        gated.Open();
        await gated.Queue.Completion.WaitAsync(TestLimits.Wait); // the handlers did not fail: the writer's error is not theirs
        Assert.Equal(new[] { 1, 2 }, gated.Handled.AsEnumerable());
    }

    [Fact]
    public async Task TryWrite_AfterComplete_ReturnsFalse()
    {
        await using var gated = new GatedQueue(4);
        gated.Writer.Complete();
        Assert.False(gated.Writer.TryWrite(42));
    }

    [Fact]
    public async Task WriteAsync_AfterComplete_ThrowsChannelClosedException()
    {
        await using var gated = new GatedQueue(4);
        gated.Writer.Complete();
        ChannelClosedException closed = await Assert.ThrowsAsync<ChannelClosedException>(async () => await gated.Writer.WriteAsync(42));
        Assert.IsType<InvalidOperationException>(closed.InnerException);
        Assert.Empty(gated.Handled);
    }

    [Fact]
    public async Task WriteAsync_AfterAbort_ThrowsChannelClosedException()
    {
        await using var gated = new GatedQueue(4);
        _ = gated.Queue.AbortAsync();
        await Assert.ThrowsAsync<ChannelClosedException>(async () => await gated.Writer.WriteAsync(42));
        Assert.False(await gated.Writer.WaitToWriteAsync());
    }

    [Fact]
    public async Task WaitToWriteAsync_AfterComplete_CompletesSynchronouslyWithFalse()
    {
        await using var gated = new GatedQueue(4);
        gated.Writer.Complete();
        Task<bool> wait = gated.Writer.WaitToWriteAsync().AsTask();
        Assert.True(wait.IsCompletedSuccessfully);
        Assert.False(await wait);
    }

    [Fact]
    public async Task WaitToWriteAsync_WithRoom_CompletesSynchronouslyWithTrue()
    {
        await using var gated = new GatedQueue(4);
        Task<bool> wait = gated.Writer.WaitToWriteAsync().AsTask();
        Assert.True(wait.IsCompletedSuccessfully);
        Assert.True(await wait);
    }

    [Fact]
    public async Task TryComplete_WithException_PropagatesToNewWriter()
    {
        await using var gated = new GatedQueue(4);
        var error = new FormatException();
        gated.Writer.Complete(error);
        ChannelClosedException closed = await Assert.ThrowsAsync<ChannelClosedException>(async () => await gated.Writer.WriteAsync(42));
        Assert.Same(error, closed.InnerException);
    }

    [Fact]
    public async Task TryComplete_WithException_PropagatesToExistingWriter()
    {
        await using GatedQueue gated = await GatedQueue.CreateFullAsync(1);
        Task write = gated.Writer.WriteAsync(42).AsTask();
        Assert.False(write.IsCompleted);
        var error = new FormatException();
        gated.Writer.Complete(error);
        ChannelClosedException closed = await Assert.ThrowsAsync<ChannelClosedException>(async () => await write.WaitAsync(TestLimits.Wait));
        Assert.Same(error, closed.InnerException);
        gated.Open();
        await gated.Queue.Completion.WaitAsync(TestLimits.Wait);
        Assert.DoesNotContain(42, gated.Handled);
    }

    [Fact]
    public async Task TryComplete_WithException_PropagatesToNewWaitingWriter()
    {
        await using var gated = new GatedQueue(4);
        var error = new FormatException();
        gated.Writer.Complete(error);
        Assert.Same(error, await Assert.ThrowsAsync<FormatException>(async () => await gated.Writer.WaitToWriteAsync()));
    }

    [Fact]
    public async Task TryComplete_WithException_PropagatesToExistingWaitingWriter()
    {
        await using GatedQueue gated = await GatedQueue.CreateFullAsync(1);
        Task<bool> wait = gated.Writer.WaitToWriteAsync().AsTask();
        Assert.False(wait.IsCompleted);
        var error = new FormatException();
        gated.Writer.Complete(error);
        Assert.Same(error, await Assert.ThrowsAsync<FormatException>(async () => await wait.WaitAsync(TestLimits.Wait)));
    }

    [Fact]
    public async Task TryComplete_WithCancellationException_WriteAsyncThrowsIt()
    {
        await using var gated = new GatedQueue(4);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var canceled = new OperationCanceledException(cts.Token);
        gated.Writer.Complete(canceled);
        OperationCanceledException thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await gated.Writer.WriteAsync(42));
        Assert.Same(canceled, thrown);
    }

    [Fact]
    public async Task Precancellation_Writing_ReturnsImmediately_AndEnqueuesNothing()
    {
        await using var gated = new GatedQueue(4);
        Task write = gated.Writer.WriteAsync(42, new CancellationToken(true)).AsTask();
        Assert.True(write.IsCanceled);
        Task<bool> wait = gated.Writer.WaitToWriteAsync(new CancellationToken(true)).AsTask();
        Assert.True(wait.IsCanceled);
        Assert.Equal(0, gated.Queue.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(1000)]
    public async Task TryWrite_FullQueue_ReturnsFalse_UntilTheConsumerMakesRoom(int capacity)
    {
        await using GatedQueue gated = await GatedQueue.CreateFullAsync(capacity);
        Assert.False(gated.Writer.TryWrite(42));
        gated.Open();
        Assert.True(await gated.Writer.WaitToWriteAsync().AsTask().WaitAsync(TestLimits.Wait));
        Assert.True(gated.Writer.TryWrite(42)); // no other writer could take the slot
        Assert.True(gated.Writer.TryComplete());
        await gated.Queue.Completion.WaitAsync(TestLimits.Wait);
        Assert.Equal(capacity + 2, gated.Handled.Count);
    }

    [Fact]
    public async Task WriteAsync_FullQueue_WaitsUntilTheConsumerMakesRoom()
    {
        await using GatedQueue gated = await GatedQueue.CreateFullAsync(1);
        Task write = gated.Writer.WriteAsync(42).AsTask();
        Assert.False(write.IsCompleted);
        gated.Open();
        await write.WaitAsync(TestLimits.Wait);
        await gated.CompleteAndDrainAsync();
        Assert.Contains(42, gated.Handled);
    }

    [Fact]
    public async Task CancelPendingWrite_NextWriterGetsTheSlot_AndTheCanceledItemIsNeverHandled()
    {
        await using GatedQueue gated = await GatedQueue.CreateFullAsync(1);
        using var cts = new CancellationTokenSource();
        Task write1 = gated.Writer.WriteAsync(43, cts.Token).AsTask();
        Assert.False(write1.IsCompleted);
        await cts.CancelAsync();
        Task write2 = gated.Writer.WriteAsync(44).AsTask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write1.WaitAsync(TestLimits.Wait));
        Assert.Equal(1, gated.Queue.WaitingProducers); // only write2 still waits
        gated.Open();
        await write2.WaitAsync(TestLimits.Wait);
        await gated.CompleteAndDrainAsync();
        Assert.Equal(new[] { -1, -2, 44 }, gated.Handled.AsEnumerable());
    }

    [Fact]
    public async Task WaitToWriteAsync_AfterFullThenRoom_EveryWaiterReturnsTrue()
    {
        await using GatedQueue gated = await GatedQueue.CreateFullAsync(1);
        Task<bool> wait1 = gated.Writer.WaitToWriteAsync().AsTask();
        Task<bool> wait2 = gated.Writer.WaitToWriteAsync().AsTask();
        Assert.False(wait1.IsCompleted);
        Assert.False(wait2.IsCompleted);
        gated.Open(); // the consumer starts item -2: one slot
        Assert.True(await wait1.WaitAsync(TestLimits.Wait));
        Assert.True(await wait2.WaitAsync(TestLimits.Wait));
    }

    [Fact]
    public async Task WaitToWriteAsync_Canceled_CompletesAsCanceled_AndLeavesNoWaiter()
    {
        await using GatedQueue gated = await GatedQueue.CreateFullAsync(1);
        using var cts = new CancellationTokenSource();
        Task<bool> wait = gated.Writer.WaitToWriteAsync(cts.Token).AsTask();
        Assert.False(wait.IsCompleted);
        Assert.Equal(1, gated.Queue.WaitingProducers);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait.WaitAsync(TestLimits.Wait));
        Assert.Equal(0, gated.Queue.WaitingProducers);
    }

    [Fact]
    public async Task WaitToWriteAsync_WhoseCallerNeverWrites_DoesNotStrandABlockedWriteAsync()
    {
        // A consumer wakes one waiting producer per free slot. The first waiter here only asks whether there is room
        // and never writes, so it must pass the wake-up on; otherwise the WriteAsync behind it waits forever.
        await using GatedQueue gated = await GatedQueue.CreateFullAsync(1);
        Task<bool> onlyAsks = gated.Writer.WaitToWriteAsync().AsTask();
        Task write = gated.Writer.WriteAsync(42).AsTask();
        Assert.Equal(2, gated.Queue.WaitingProducers);
        gated.Open();
        Assert.True(await onlyAsks.WaitAsync(TestLimits.Wait));
        await write.WaitAsync(TestLimits.Wait);
        await gated.CompleteAndDrainAsync();
        Assert.Contains(42, gated.Handled);
    }

    [Fact]
    public async Task WaitToWriteAsync_ManyConcurrent_AreSatisfiedByTheConsumer()
    {
        await using GatedQueue gated = await GatedQueue.CreateFullAsync(1);
        Task<bool>[] waiters = [.. Enumerable.Range(0, 100).Select(_ => gated.Writer.WaitToWriteAsync().AsTask())];
        gated.Open();
        foreach (Task<bool> waiter in waiters)
        {
            Assert.True(await waiter.WaitAsync(TestLimits.Wait));
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 10)]
    [InlineData(10, 1)]
    [InlineData(10, 10)]
    public async Task ManyWriters_WriteAsync_ThenComplete_HandleEveryItemExactlyOnce(int capacity, int writers)
    {
        const int Items = 10_000;
        long total = 0;
        int remainingItems = Items, remainingWriters = writers;
        var queue = new WorkQueue<int>(
            item => Interlocked.Add(ref total, item),
            new WorkQueueOptions<int> { Capacity = capacity, Consumers = 2, UseDedicatedThreads = false });
        ChannelWriter<int> writer = queue.Writer;
        await Concurrently.RunAsync(
            async _ =>
            {
                while (true)
                {
                    int value = Interlocked.Decrement(ref remainingItems);
                    if (value < 0)
                    {
                        break;
                    }

                    await writer.WriteAsync(value + 1);
                }

                if (Interlocked.Decrement(ref remainingWriters) == 0)
                {
                    writer.Complete();
                }
            },
            new ConcurrentRunOptions { Threads = writers, Timeout = TestLimits.Wait });
        await queue.Completion.WaitAsync(TestLimits.Wait);
        Assert.Equal(Items * (Items + 1L) / 2, Interlocked.Read(ref total));
    }

    [Fact]
    public async Task WaitToWriteThenTryWrite_TheCanonicalChannelLoop_DeliversEveryItem()
    {
        var handled = new ConcurrentQueue<int>();
        var queue = new WorkQueue<int>(handled.Enqueue, new WorkQueueOptions<int> { Capacity = 2 });
        ChannelWriter<int> writer = queue.Writer;
        for (int i = 0; i < 1000; i++)
        {
            while (!writer.TryWrite(i))
            {
                Assert.True(await writer.WaitToWriteAsync().AsTask().WaitAsync(TestLimits.Wait));
            }
        }

        writer.Complete();
        await queue.Completion.WaitAsync(TestLimits.Wait);
        Assert.Equal(Enumerable.Range(0, 1000), handled);
    }
}
