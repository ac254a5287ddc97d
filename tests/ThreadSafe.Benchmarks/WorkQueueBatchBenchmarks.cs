using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using ThreadSafe;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// Batch handlers of WorkQueue&lt;T&gt; (MaxBatchSize 64) against the per-item handler and against a bounded Channel read
/// by a hand-written batching loop (WaitToReadAsync, then TryRead up to 64 items, then the batch): 2 producer threads,
/// 2 consumers, capacity 1024, <see cref="Items"/> ints per invocation, the same work per item everywhere.
/// Results are per item (OperationsPerInvoke): items/s = 1e9 / Mean(ns).
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
        var queue = new WorkQueue<int>(Work, new WorkQueueOptions<int> { Capacity = Capacity, Consumers = Consumers });
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

    private void HandleBatch(ReadOnlyMemory<int> batch, CancellationToken cancellationToken)
    {
        foreach (int item in batch.Span)
        {
            Work(item);
        }
    }

    // The same work per item for every contender (as in WorkQueueBenchmarks).
    private void Work(int item) => Volatile.Write(ref _sink, item);
}
