using System.Collections.Concurrent;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using ThreadSafe;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// WorkQueue&lt;T&gt; (default producer wake-up, and the batched opt-in) against a bounded Channel (baseline) and
/// BlockingCollection, all with capacity 1024, moving
/// <see cref="Items"/> ints per invocation from P producer threads to C consumers that do the same work per item.
/// Results are per item (OperationsPerInvoke): items/s = 1e9 / Mean(ns); Allocated is bytes per item.
/// </summary>
[MemoryDiagnoser]
public class WorkQueueBenchmarks
{
    public const int Items = 1_000_000;
    private const int Capacity = 1024;

    private long _sink;

    /// <summary>Shape: producers x consumers.</summary>
    [Params("1P1C", "2P1C", "2P2C")]
    public string Shape { get; set; } = "1P1C";

    private int Producers => ProducerConsumerHarness.Producers(Shape);

    private int Consumers => ProducerConsumerHarness.Consumers(Shape);

    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    public void BoundedChannel()
    {
        Channel<int> channel = ProducerConsumerHarness.NewBoundedChannel(Capacity);
        Task[] consumers = ProducerConsumerHarness.StartChannelConsumers(channel.Reader, Consumers, Work);
        RunProducers(i => ProducerConsumerHarness.WriteOrWait(channel.Writer, i));
        channel.Writer.Complete();
        Task.WaitAll(consumers);
    }

    /// <summary>The default: a blocked producer is woken as soon as one slot is free (ProducerWakeThreshold 1).</summary>
    [Benchmark(OperationsPerInvoke = Items)]
    public void WorkQueue() => RunWorkQueue(producerWakeThreshold: 1);

    /// <summary>The throughput opt-in: blocked producers are woken per 64 free slots or per consumer batch.</summary>
    [Benchmark(OperationsPerInvoke = Items)]
    public void WorkQueueWake64() => RunWorkQueue(producerWakeThreshold: 64);

    [Benchmark(OperationsPerInvoke = Items)]
    public void BlockingCollection()
    {
        using var collection = new BlockingCollection<int>(Capacity);
        var consumers = new Thread[Consumers];
        for (int c = 0; c < consumers.Length; c++)
        {
            consumers[c] = new Thread(() =>
            {
                foreach (int item in collection.GetConsumingEnumerable())
                {
                    Work(item);
                }
            });
            consumers[c].Start();
        }

        RunProducers(collection.Add);
        collection.CompleteAdding();
        foreach (Thread consumer in consumers)
        {
            consumer.Join();
        }
    }

    private void RunWorkQueue(int producerWakeThreshold)
    {
        var queue = new WorkQueue<int>(Work, new WorkQueueOptions<int> { Capacity = Capacity, Consumers = Consumers, ProducerWakeThreshold = producerWakeThreshold });
        RunProducers(i => queue.Add(i));
        queue.CompleteAsync().GetAwaiter().GetResult();
    }

    // The same work per item for every contender.
    private void Work(int item) => Volatile.Write(ref _sink, item);

    private void RunProducers(Action<int> add) => ProducerConsumerHarness.RunProducerThreads(Items, Producers, add);
}
