using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using ThreadSafe;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// Batch handlers of WorkQueue&lt;T&gt; (MaxBatchSize 64) against the per-item handler and against a bounded Channel read
/// by a hand-written batching loop (WaitToReadAsync, then TryRead up to 64 items, then the batch): 2 producer threads,
/// 2 consumers, capacity 1024, <see cref="Items"/> ints per invocation, the same work per item everywhere, and a fixed
/// cost per handler call (<see cref="CallCostNs"/>) paid by every contender once per call: per item by the per-item
/// handler, per batch by the batch handler and the Channel loop. Results are per item (OperationsPerInvoke):
/// items/s = 1e9 / Mean(ns).
/// </summary>
[MemoryDiagnoser]
public class WorkQueueBatchBenchmarks
{
    public const int Items = 1_000_000;
    private const int Capacity = 1024;
    private const int BatchSize = 64;
    private const int Producers = 2;
    private const int Consumers = 2;

    private long _sink;
    private long _callCostTicks;

    /// <summary>
    /// The fixed cost of one handler call, in nanoseconds, whatever the number of items it carries: what a write
    /// syscall, a database round trip or a commit costs. 0 is the trivial handler (the rows measured before this
    /// parameter existed).
    /// </summary>
    [Params(0, 100, 250, 500, 1000)]
    public int CallCostNs { get; set; }

    /// <summary>
    /// Converts the cost to Stopwatch ticks and prints what one paid call really takes on this machine: the fastest of
    /// 200 rounds of 100 calls, so that a round in which the thread was preempted does not count.
    /// </summary>
    [GlobalSetup]
    public void Calibrate()
    {
        _callCostTicks = CallCostNs * Stopwatch.Frequency / 1_000_000_000;
        const int Rounds = 200, Calls = 100;
        double fastestNs = double.MaxValue;
        for (int round = 0; round < Rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < Calls; i++)
            {
                PayCallCost();
            }

            fastestNs = Math.Min(fastestNs, Stopwatch.GetElapsedTime(start).TotalNanoseconds / Calls);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// CallCostNs {CallCostNs}: one paid call takes {fastestNs:F0} ns"));
    }

    /// <summary>The baseline: a bounded Channel whose consumers gather up to 64 items with TryRead, then handle them.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    public void ChannelBatchingLoop()
    {
        Channel<int> channel = ProducerConsumerHarness.NewBoundedChannel(Capacity);
        var consumers = new Task[Consumers];
        for (int c = 0; c < consumers.Length; c++)
        {
            consumers[c] = Task.Run(async () =>
            {
                ChannelReader<int> reader = channel.Reader;
                int[] batch = new int[BatchSize];
                while (await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    int n = 0;
                    while (n < batch.Length && reader.TryRead(out int item))
                    {
                        batch[n++] = item;
                    }

                    HandleBatch(batch.AsMemory(0, n), CancellationToken.None);
                }
            });
        }

        ProducerConsumerHarness.RunProducerThreads(Items, Producers, i => ProducerConsumerHarness.WriteOrWait(channel.Writer, i));
        channel.Writer.Complete();
        Task.WaitAll(consumers);
    }

    /// <summary>The per-item handler, the queue's default shape.</summary>
    [Benchmark(OperationsPerInvoke = Items)]
    public void WorkQueuePerItem()
    {
        var queue = new WorkQueue<int>(HandleItem, new WorkQueueOptions<int> { Capacity = Capacity, Consumers = Consumers });
        ProducerConsumerHarness.RunProducerThreads(Items, Producers, i => queue.Add(i));
        queue.CompleteAsync().GetAwaiter().GetResult();
    }

    /// <summary>A batch handler taking what is waiting, up to 64 items (MaxBatchDelay 0).</summary>
    [Benchmark(OperationsPerInvoke = Items)]
    public void WorkQueueBatch64() => RunBatchQueue(TimeSpan.Zero);

    /// <summary>A batch handler that may hold a partial batch up to 1 ms for more items to join it.</summary>
    [Benchmark(OperationsPerInvoke = Items)]
    public void WorkQueueBatch64Delay1ms() => RunBatchQueue(TimeSpan.FromMilliseconds(1));

    private void RunBatchQueue(TimeSpan maxBatchDelay)
    {
        var queue = new WorkQueue<int>(
            new WorkQueueBatchOptions { MaxBatchSize = BatchSize, MaxBatchDelay = maxBatchDelay },
            HandleBatch,
            new WorkQueueOptions<int> { Capacity = Capacity, Consumers = Consumers });
        ProducerConsumerHarness.RunProducerThreads(Items, Producers, i => queue.Add(i));
        queue.CompleteAsync().GetAwaiter().GetResult();
    }

    // The per-item handler: one call, so one fixed cost, per item.
    private void HandleItem(int item)
    {
        PayCallCost();
        Work(item);
    }

    // The batch handler (also the Channel loop's): one call, so one fixed cost, per batch; the same work per item.
    private void HandleBatch(ReadOnlyMemory<int> batch, CancellationToken cancellationToken)
    {
        PayCallCost();
        foreach (int item in batch.Span)
        {
            Work(item);
        }
    }

    // The same work per item for every contender (as in WorkQueueBenchmarks).
    private void Work(int item) => Volatile.Write(ref _sink, item);

    // The fixed cost of a call, as a busy wait on the Stopwatch clock: a sleep would give the core away and last at least
    // a scheduler tick (about a millisecond), far longer than the costs measured here. The wait overshoots by at most one
    // clock read (tens of ns); Calibrate prints the real cost.
    private void PayCallCost()
    {
        if (_callCostTicks == 0)
        {
            return;
        }

        long end = Stopwatch.GetTimestamp() + _callCostTicks;
        while (Stopwatch.GetTimestamp() < end)
        {
        }
    }
}
