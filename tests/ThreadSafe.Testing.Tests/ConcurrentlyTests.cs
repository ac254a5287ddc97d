namespace ThreadSafe.Testing.Tests;

public sealed class ConcurrentlyTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public void Run_EveryThreadRunsOncePerRepetition()
    {
        int calls = 0;
        var seen = new int[4];
        Concurrently.Run(
            i =>
            {
                Interlocked.Increment(ref calls);
                Interlocked.Increment(ref seen[i]);
            },
            new ConcurrentRunOptions { Threads = 4, Repeat = 3, Timeout = Long });
        Assert.Equal(12, calls);
        Assert.All(seen, n => Assert.Equal(3, n));
    }

    [Fact]
    public void Run_ThreadsAreReleasedTogether_AllAreInsideBeforeAnyLeaves()
    {
        // Each thread waits (with a timeout) until all four are inside the body: only a common start gets there.
        int inside = 0;
        using var allInside = new ManualResetEvent(false);
        Concurrently.Run(
            _ =>
            {
                if (Interlocked.Increment(ref inside) == 4)
                {
                    allInside.Set();
                }

                Assert.True(allInside.WaitOne(Long), "Not every thread entered the body.");
            },
            new ConcurrentRunOptions { Threads = 4, Timeout = Long });
        Assert.Equal(4, inside);
    }

    [Fact]
    public void Run_ThreadsThrow_EveryExceptionIsCollected()
    {
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(() => Concurrently.Run(
            i =>
            {
                if (i % 2 == 1)
                {
                    throw new InvalidOperationException($"boom {i}");
                }
            },
            new ConcurrentRunOptions { Threads = 4, Timeout = Long }));
        var all = Assert.IsType<AggregateException>(ex.InnerException);
        Assert.Equal(2, all.InnerExceptions.Count);
        Assert.Contains("ConcurrentRun #1: InvalidOperationException: boom 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ConcurrentRun #3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ThreadHangs_FailsNamingTheStuckThread()
    {
        using var release = new ManualResetEvent(false);
        try
        {
            ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(() => Concurrently.Run(
                i =>
                {
                    if (i == 2)
                    {
                        release.WaitOne(Long);
                    }
                },
                new ConcurrentRunOptions { Threads = 3, Timeout = TimeSpan.FromSeconds(1.5), ThreadName = "Worker" }));
            Assert.Contains("1 of 3 threads still running: Worker #2", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task RunAsync_EveryTaskRunsOncePerRepetition()
    {
        int calls = 0;
        await Concurrently.RunAsync(
            async _ =>
            {
                await Task.Yield();
                Interlocked.Increment(ref calls);
            },
            new ConcurrentRunOptions { Threads = 3, Repeat = 2, Timeout = Long });
        Assert.Equal(6, calls);
    }

    [Fact]
    public async Task RunAsync_TasksThrow_EveryExceptionIsCollected()
    {
        ConcurrencyTestException ex = await Assert.ThrowsAsync<ConcurrencyTestException>(() => Concurrently.RunAsync(
            async i =>
            {
                await Task.Yield();
                throw new InvalidOperationException($"boom {i}");
            },
            new ConcurrentRunOptions { Threads = 2, Timeout = Long }));
        Assert.Equal(2, Assert.IsType<AggregateException>(ex.InnerException).InnerExceptions.Count);
    }

    [Fact]
    public async Task RunAsync_TaskHangs_FailsNamingTheStuckTask()
    {
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ConcurrencyTestException ex = await Assert.ThrowsAsync<ConcurrencyTestException>(() => Concurrently.RunAsync(
            i => i == 0 ? never.Task : Task.CompletedTask,
            new ConcurrentRunOptions { Threads = 2, Timeout = TimeSpan.FromSeconds(1.5) }));
        Assert.Contains("1 of 2 tasks still running: ConcurrentRun #0", ex.Message, StringComparison.Ordinal);
        never.SetResult();
    }

    [Fact]
    public void Run_OneThreadThrowsAndAnotherHangs_TimeoutKeepsTheException()
    {
        // The exception of the finished thread is often why the other one hangs: it must not be lost.
        using var release = new ManualResetEvent(false);
        try
        {
            ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(() => Concurrently.Run(
                i =>
                {
                    if (i == 0)
                    {
                        throw new InvalidOperationException("root cause");
                    }

                    release.WaitOne(Long);
                },
                new ConcurrentRunOptions { Threads = 2, Timeout = TimeSpan.FromSeconds(1), ThreadName = "Worker" }));
            Assert.Contains("1 of 2 threads still running: Worker #1", ex.Message, StringComparison.Ordinal);
            Assert.Contains("Worker #0: InvalidOperationException: root cause", ex.Message, StringComparison.Ordinal);
            var all = Assert.IsType<AggregateException>(ex.InnerException);
            Assert.Equal("root cause", Assert.Single(all.InnerExceptions).Message);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task RunAsync_OneTaskThrowsAndAnotherHangs_TimeoutKeepsTheException()
    {
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ConcurrencyTestException ex = await Assert.ThrowsAsync<ConcurrencyTestException>(() => Concurrently.RunAsync(
            i => i == 0 ? never.Task : throw new InvalidOperationException("root cause"),
            new ConcurrentRunOptions { Threads = 2, Timeout = TimeSpan.FromSeconds(1) }));
        Assert.Contains("1 of 2 tasks still running: ConcurrentRun #0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ConcurrentRun #1: InvalidOperationException: root cause", ex.Message, StringComparison.Ordinal);
        var all = Assert.IsType<AggregateException>(ex.InnerException);
        Assert.Equal("root cause", Assert.Single(all.InnerExceptions).Message);
        never.SetResult();
    }

    [Fact]
    public void Run_BadArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("body", () => Concurrently.Run(null!));
        Assert.Throws<ArgumentOutOfRangeException>("options", () => Concurrently.Run(_ => { }, new ConcurrentRunOptions { Threads = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("options", () => Concurrently.Run(_ => { }, new ConcurrentRunOptions { Repeat = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("options", () => Concurrently.Run(_ => { }, new ConcurrentRunOptions { Timeout = TimeSpan.Zero }));
    }
}
