using System.Threading.Channels;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// The pieces the producer/consumer benchmarks share, so that every contender runs the same producers and the same
/// baseline consumers: shapes written "2P2C" (producers x consumers), the bounded-Channel baseline's consumer loop, and
/// producer threads that add a fixed number of items.
/// </summary>
internal static class ProducerConsumerHarness
{
    public static int Producers(string shape) => shape[0] - '0';

    public static int Consumers(string shape) => shape[2] - '0';

    public static Channel<int> NewBoundedChannel(int capacity) =>
        Channel.CreateBounded<int>(new BoundedChannelOptions(capacity) { SingleReader = false, SingleWriter = false });

    /// <summary>Consumer tasks reading the channel item by item (WaitToReadAsync, then TryRead until empty) until it completes.</summary>
    public static Task[] StartChannelConsumers(ChannelReader<int> reader, int consumers, Action<int> work)
    {
        var tasks = new Task[consumers];
        for (int c = 0; c < tasks.Length; c++)
        {
            tasks[c] = Task.Run(async () =>
            {
                while (await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (reader.TryRead(out int item))
                    {
                        work(item);
                    }
                }
            });
        }

        return tasks;
    }

    /// <summary>Producer threads adding <paramref name="items"/> ints in total, split evenly; returns when all have finished.</summary>
    public static void RunProducerThreads(int items, int producers, Action<int> add)
    {
        int perProducer = items / producers;
        var threads = new Thread[producers];
        for (int p = 0; p < threads.Length; p++)
        {
            threads[p] = new Thread(() =>
            {
                for (int i = 0; i < perProducer; i++)
                {
                    add(i);
                }
            });
            threads[p].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }
    }

    /// <summary>Writes through a channel writer from a synchronous producer: TryWrite, waiting for room when full.</summary>
    public static void WriteOrWait(ChannelWriter<int> writer, int item)
    {
        while (!writer.TryWrite(item))
        {
            if (!writer.WaitToWriteAsync().AsTask().GetAwaiter().GetResult())
            {
                return;
            }
        }
    }
}
