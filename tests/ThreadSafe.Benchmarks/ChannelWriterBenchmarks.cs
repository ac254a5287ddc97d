using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// Producers written against <see cref="ChannelWriter{T}"/> (<c>await writer.WriteAsync(item)</c>): the writer of a
/// bounded Channel (baseline, read by consumer tasks) against <see cref="WorkQueue{T}.Writer"/>, and against the
/// queue's own <see cref="WorkQueue{T}.AddAsync"/> to show what the adapter costs. Capacity 1024, thread-pool
/// consumers doing the same work per item. Results are per item: items/s = 1e9 / Mean(ns).
/// </summary>
[MemoryDiagnoser]
public class ChannelWriterBenchmarks
{
    public const int Items = 200_000;
    private const int Capacity = 1024;

    private long _sink;

    /// <summary>Shape: producers x consumers.</summary>
    [Params("1P1C", "2P2C")]
    public string Shape { get; set; } = "1P1C";

    private int Producers => ProducerConsumerHarness.Producers(Shape);

    private int Consumers => ProducerConsumerHarness.Consumers(Shape);

    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    public void BoundedChannelWriteAsync()
    {
        Channel<int> channel = ProducerConsumerHarness.NewBoundedChannel(Capacity);
        Task[] consumers = ProducerConsumerHarness.StartChannelConsumers(channel.Reader, Consumers, Work);
        RunProducers(channel.Writer);
        channel.Writer.Complete();
        Task.WaitAll(consumers);
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public void WorkQueueWriterWriteAsync()
    {
        WorkQueue<int> queue = NewQueue();
        RunProducers(queue.Writer);
        queue.CompleteAsync().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public void WorkQueueAddAsync()
    {
        WorkQueue<int> queue = NewQueue();
        Task[] producers = new Task[Producers];
        int perProducer = Items / Producers;
        for (int p = 0; p < producers.Length; p++)
        {
            producers[p] = Task.Run(async () =>
            {
                for (int i = 0; i < perProducer; i++)
                {
                    await queue.AddAsync(i).ConfigureAwait(false);
                }
            });
        }

        Task.WaitAll(producers);
        queue.CompleteAsync().GetAwaiter().GetResult();
    }

    private WorkQueue<int> NewQueue() =>
        new(Work, new WorkQueueOptions<int> { Capacity = Capacity, Consumers = Consumers, UseDedicatedThreads = false });

    private void RunProducers(ChannelWriter<int> writer)
    {
        Task[] producers = new Task[Producers];
        int perProducer = Items / Producers;
        for (int p = 0; p < producers.Length; p++)
        {
            producers[p] = Task.Run(async () =>
            {
                for (int i = 0; i < perProducer; i++)
                {
                    await writer.WriteAsync(i).ConfigureAwait(false);
                }
            });
        }

        Task.WaitAll(producers);
    }

    private void Work(int item) => Interlocked.Add(ref _sink, item);
}
