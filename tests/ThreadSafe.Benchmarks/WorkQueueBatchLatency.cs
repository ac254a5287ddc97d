using System.Diagnostics;
using ThreadSafe;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// Latency of single items under a trickle load with a batch handler: one producer adds an item about every
/// <c>gap</c> milliseconds (fewer than MaxBatchSize arrive within MaxBatchDelay, so batches go out by their deadline),
/// and the handler measures each item's time from <c>Add</c> to the start of its batch. The target: p99 at most
/// MaxBatchDelay + 1 ms. Run: <c>dotnet run -c Release --project tests/ThreadSafe.Benchmarks -- batch-latency [delay ms] [gap ms]</c>.
/// </summary>
internal static class WorkQueueBatchLatency
{
    public static void Run(int items = 2000, int delayMs = 5, int gapMs = 1)
    {
        var latencies = new double[items];
        var stamps = new long[items];
        var queue = new WorkQueue<int>(
            new WorkQueueBatchOptions { MaxBatchSize = 64, MaxBatchDelay = TimeSpan.FromMilliseconds(delayMs) },
            (batch, _) =>
            {
                long now = Stopwatch.GetTimestamp();
                foreach (int i in batch.Span)
                {
                    latencies[i] = Stopwatch.GetElapsedTime(Volatile.Read(ref stamps[i]), now).TotalMilliseconds;
                }
            });
        for (int i = 0; i < items; i++)
        {
            Volatile.Write(ref stamps[i], Stopwatch.GetTimestamp());
            queue.Add(i);
            Thread.Sleep(gapMs); // the trickle's pace (a load generator, not synchronization)
        }

        queue.CompleteAsync().GetAwaiter().GetResult();
        double[] sorted = [.. latencies.Order()];
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        Console.WriteLine($"batch-latency: {items} items, one every ~{gapMs} ms, MaxBatchSize 64, MaxBatchDelay {delayMs} ms");
        Console.WriteLine($"  p50 {P(0.50):F3} ms, p90 {P(0.90):F3} ms, p99 {P(0.99):F3} ms, max {sorted[^1]:F3} ms; target p99 <= {delayMs + 1} ms: {(P(0.99) <= delayMs + 1 ? "met" : "NOT met")}");
    }
}
