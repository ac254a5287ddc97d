using System.Diagnostics;
using ThreadSafe.Testing;
using ThreadSafe.Tests.Shared;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.WorkQueue;

/// <summary>
/// Real-thread stress: 4 producers and 4 consumers, shutdown at a random (seeded, printed) point of production. Every
/// accepted item is handled exactly once or handed back exactly once; no item is missing or duplicated.
/// Default: 4 x 20,000 items; with THREADSAFE_STRESS=1: 4 x 250,000 (1,000,000 items).
/// </summary>
public sealed class WorkQueueStressTests(ITestOutputHelper output)
{
    private const int Producers = 4, Consumers = 4;

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public async Task Shutdown_AtRandomPoint_EveryAcceptedItemHandledOrHandedBackExactlyOnce(bool abort, bool dedicatedThreads)
    {
        int perProducer = TestLimits.Size(quick: 20_000, stress: 250_000);
        int total = Producers * perProducer;
        int seed = Environment.TickCount;
        int stopAt = new Random(seed).Next(1, total + 1);
        output.WriteLine($"{(abort ? "AbortAsync" : "CompleteAsync")}, {(dedicatedThreads ? "dedicated threads" : "thread pool")}: " +
                         $"{Producers} producers x {perProducer:N0} items, {Consumers} consumers, seed {seed}, shutdown after {stopAt:N0} accepted.");

        int[] handled = new int[total];
        var queue = new WorkQueue<int>(
            item => Interlocked.Increment(ref handled[item]),
            new WorkQueueOptions<int> { Capacity = 64, Consumers = Consumers, UseDedicatedThreads = dedicatedThreads, Name = "stress" });

        int acceptedTotal = 0;
        int[] acceptedPerProducer = new int[Producers];
        Task? completion = null;
        Task<IReadOnlyList<int>>? handBack = null;
        var stopwatch = Stopwatch.StartNew();
        Concurrently.Run(
            producer =>
            {
                int first = producer * perProducer;
                for (int i = 0; i < perProducer; i++)
                {
                    try
                    {
                        queue.Add(first + i);
                    }
                    catch (InvalidOperationException)
                    {
                        return; // no longer accepting: this producer's accepted items are a prefix of its range
                    }

                    acceptedPerProducer[producer] = i + 1;
                    if (Interlocked.Increment(ref acceptedTotal) == stopAt)
                    {
                        if (abort)
                        {
                            handBack = queue.AbortAsync();
                        }
                        else
                        {
                            completion = queue.CompleteAsync();
                        }
                    }
                }
            },
            new ConcurrentRunOptions { Threads = Producers, Timeout = TestLimits.StressRun, ThreadName = "stress producer" });

        IReadOnlyList<int> back = [];
        if (abort)
        {
            Assert.NotNull(handBack);
            back = await handBack.WaitAsync(TestLimits.StressRun);
        }
        else
        {
            Assert.NotNull(completion);
        }

        await queue.Completion.WaitAsync(TestLimits.StressRun);
        stopwatch.Stop();

        int[] returned = new int[total];
        foreach (int item in back)
        {
            returned[item]++;
        }

        long handledCount = 0;
        for (int p = 0; p < Producers; p++)
        {
            for (int i = 0; i < perProducer; i++)
            {
                int item = (p * perProducer) + i;
                int expected = i < acceptedPerProducer[p] ? 1 : 0;
                int seen = handled[item] + returned[item];
                Assert.True(seen == expected, $"item {item}: handled {handled[item]}, handed back {returned[item]}, accepted {expected == 1} (seed {seed})");
                handledCount += handled[item];
            }
        }

        for (int i = 1; i < back.Count; i++)
        {
            // FIFO per producer: one producer's items were accepted in increasing order.
            Assert.True(back[i - 1] / perProducer != back[i] / perProducer || back[i - 1] < back[i], $"hand-back not FIFO at {i} (seed {seed})");
        }

        Assert.Equal(handledCount, queue.ProcessedCount);
        Assert.Equal(acceptedPerProducer.Sum(), (int)handledCount + back.Count);
        Assert.True(abort || back.Count == 0);
        output.WriteLine($"accepted {acceptedPerProducer.Sum():N0}, handled {handledCount:N0}, handed back {back.Count:N0}, in {stopwatch.Elapsed.TotalSeconds:F2} s.");
    }
}
