using ThreadSafe;

namespace QuickTour;

/// <summary>WorkQueue&lt;T&gt;: producers add, consumers handle, shutdown drains (CompleteAsync) or hands back (AbortAsync).</summary>
internal static class WorkQueueTour
{
    public static string Run()
    {
        const int Producers = 4, PerProducer = 50_000;
        long sum = 0;
        var queue = new WorkQueue<int>(item => Interlocked.Add(ref sum, item), new WorkQueueOptions<int> { Consumers = 2, Capacity = 1024 });
        Check.RunThreads(Producers, p =>
        {
            for (int i = 1; i <= PerProducer; i++)
            {
                queue.Add(i); // blocks while the queue is full: back pressure
            }
        });
        Check.That(queue.CompleteAsync().Wait(TimeSpan.FromSeconds(60)), "CompleteAsync did not drain within 60 s");
        long expected = Producers * ((long)PerProducer * (PerProducer + 1) / 2);
        Check.That(Interlocked.Read(ref sum) == expected, $"expected sum {expected}, got {sum}");
        Check.That(queue.ProcessedCount == Producers * PerProducer, $"processed {queue.ProcessedCount}");

        // Abort hands back what no consumer started, in FIFO order: nothing is dropped silently.
        using var release = new ManualResetEvent(false);
        using var started = new ManualResetEvent(false);
        var slow = new WorkQueue<int>(item =>
        {
            started.Set();
            Check.That(release.WaitOne(TimeSpan.FromSeconds(60)), "never released");
        });
        slow.Add(0);
        Check.That(started.WaitOne(TimeSpan.FromSeconds(60)), "the consumer never started");
        for (int i = 1; i <= 5; i++)
        {
            slow.Add(i);
        }

        Task<IReadOnlyList<int>> abort = slow.AbortAsync();
        release.Set(); // the item in hand finishes; the rest comes back
        Check.That(abort.Wait(TimeSpan.FromSeconds(60)), "AbortAsync did not finish within 60 s");
        Check.That(abort.Result.SequenceEqual([1, 2, 3, 4, 5]), $"handed back [{string.Join(",", abort.Result)}]");
        return $"{Producers} producers x {PerProducer:N0} items drained by 2 consumers, sum verified; abort handed back [{string.Join(",", abort.Result)}]";
    }
}
