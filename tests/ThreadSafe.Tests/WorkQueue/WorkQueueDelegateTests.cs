using System.Collections.Concurrent;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.WorkQueue;

/// <summary>The boundary with user delegates of <see cref="WorkQueue{T}"/>: async lambdas, which overload binds, refusals.</summary>
public sealed class WorkQueueDelegateTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AsyncLambdaWithoutToken_IsAwaited_CompleteAsyncWaitsForEveryItemInFifoOrder(bool dedicatedThreads)
    {
        var handled = new ConcurrentQueue<int>();
        int inFlight = 0, maxInFlight = 0;
        var queue = new WorkQueue<int>(
            async item =>
            {
                int now = Interlocked.Increment(ref inFlight);
                AtomicMax.Raise(ref maxInFlight, now);
                await Task.Yield(); // the rest runs after the handler's first await: the queue must wait for it
                handled.Enqueue(item);
                Interlocked.Decrement(ref inFlight);
            },
            new WorkQueueOptions<int> { Capacity = 64, UseDedicatedThreads = dedicatedThreads });
        for (int i = 0; i < 50; i++)
        {
            queue.Add(i);
        }

        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal(Enumerable.Range(0, 50), handled);
        Assert.Equal(1, maxInFlight); // one consumer: one handler at a time, so it awaited each one
        Assert.Equal(50, queue.ProcessedCount);
    }

    [Fact]
    public async Task AsyncLambdaWithoutToken_ThrowingAfterAwait_GoesToOnError()
    {
        var errors = new ConcurrentQueue<(int Item, string Message)>();
        var queue = new WorkQueue<int>(
            async item =>
            {
                await Task.Yield();
                throw new InvalidOperationException($"late {item}");
            },
            new WorkQueueOptions<int> { OnError = (item, ex) => errors.Enqueue((item, ex.Message)) });
        queue.Add(1);
        queue.Add(2);
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.Equal([(1, "late 1"), (2, "late 2")], errors);
        Assert.Equal(2, queue.FailedCount);
    }

    [Fact]
    public void AsyncDelegateTypedAsAction_IsRefusedNamingTheOverloadsToUse()
    {
        Action<int> handler = async item => await Task.Yield();
        var thrown = Assert.Throws<ArgumentException>(() => new WorkQueue<int>(handler));
        Assert.Equal("handler", thrown.ParamName);
        Assert.Contains("async", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("Func<int, ValueTask>", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("WorkQueue<int>", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AsyncOnError_IsRefusedNamingTheProperty()
    {
        Action<int, Exception> onError = async (item, ex) => await Task.Yield();
        var thrown = Assert.Throws<ArgumentException>(() => new WorkQueueOptions<int> { OnError = onError });
        Assert.Equal("OnError", thrown.ParamName);
        Assert.Contains("async", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyncLambdaReturningNothing_StillBindsToTheSynchronousHandler()
    {
        var seen = new ConcurrentQueue<bool>();
        var queue = new WorkQueue<int>(item => seen.Enqueue(Thread.CurrentThread.IsThreadPoolThread));
        queue.Add(1);
        await queue.CompleteAsync().WaitAsync(TestLimits.Wait);
        Assert.False(Assert.Single(seen)); // the dedicated consumer thread ran it synchronously
    }

    [Fact]
    public void NullHandler_ThrowsForEveryShape()
    {
        Assert.Equal("handler", Assert.Throws<ArgumentNullException>(() => new WorkQueue<int>((Func<int, ValueTask>)null!)).ParamName);
    }
}
