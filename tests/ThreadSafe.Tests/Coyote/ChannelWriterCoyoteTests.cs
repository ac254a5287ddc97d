using System.Threading.Channels;
using Microsoft.Coyote.Specifications;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>
/// Systematic exploration of <see cref="WorkQueue{T}.Writer"/>: the wake-ups behind <c>WaitToWriteAsync</c> and the
/// poison pill of <c>TryComplete</c>, on a queue of capacity 1 so that writers wait often.
/// </summary>
public sealed class ChannelWriterCoyoteTests(ITestOutputHelper output)
{
    private static WorkQueue<int> CreateQueue(List<int> handled) => new(
        item => WorkQueueCoyoteTests.Record(handled, item),
        new WorkQueueOptions<int> { Capacity = 1, Consumers = 1, UseDedicatedThreads = false });

    // Writes the items with WriteAsync; returns those accepted (a refused write ends the loop).
    private static async Task<List<int>> WriteAllAsync(ChannelWriter<int> writer, int from, int count)
    {
        var accepted = new List<int>();
        for (int i = from; i < from + count; i++)
        {
            try
            {
                await writer.WriteAsync(i);
                accepted.Add(i);
            }
            catch (ChannelClosedException)
            {
                break;
            }
        }

        return accepted;
    }

    // Writes the items with the canonical WaitToWriteAsync + TryWrite loop; returns those accepted.
    private static async Task<List<int>> WaitThenTryWriteAllAsync(ChannelWriter<int> writer, int from, int count)
    {
        var accepted = new List<int>();
        for (int i = from; i < from + count; i++)
        {
            while (!writer.TryWrite(i))
            {
                if (!await writer.WaitToWriteAsync())
                {
                    return accepted;
                }
            }

            accepted.Add(i);
        }

        return accepted;
    }

    [Fact]
    public void WaitToWriteAsync_CallersThatNeverWrite_NeverStrandAWritingProducer()
    {
        // Two callers only ask for room and never write. If a consumer's one wake-up per slot went to one of them and
        // stopped there, the writers would wait forever: Coyote reports that as a deadlock.
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var handled = new List<int>();
                WorkQueue<int> queue = CreateQueue(handled);
                ChannelWriter<int> writer = queue.Writer;
                Task<bool> asker1 = WorkQueueCoyoteTests.Actor(async () => await writer.WaitToWriteAsync());
                Task<List<int>> writing = WorkQueueCoyoteTests.Actor(() => WriteAllAsync(writer, 0, 3));
                Task<bool> asker2 = WorkQueueCoyoteTests.Actor(async () => await writer.WaitToWriteAsync());
                Task<List<int>> looping = WorkQueueCoyoteTests.Actor(() => WaitThenTryWriteAllAsync(writer, 10, 3));
                List<int> accepted = [.. await writing, .. await looping];
                Specification.Assert(await asker1 && await asker2, "WaitToWriteAsync on an open queue returns true.");
                Specification.Assert(writer.TryComplete(), "the first TryComplete closes the queue.");
                await queue.Completion;
                Specification.Assert(accepted.Count == 6, $"every write was accepted, got {accepted.Count}.");
                AssertHandled(accepted, handled);
            },
            output);
    }

    [Fact]
    public void TryComplete_RacingWriters_DrainsEveryAcceptedItem_AndRefusesTheRestWithTheError()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var handled = new List<int>();
                WorkQueue<int> queue = CreateQueue(handled);
                ChannelWriter<int> writer = queue.Writer;
                var error = new FormatException();
                Task<List<int>> writing = WorkQueueCoyoteTests.Actor(() => WriteAllAsync(writer, 0, 3));
                Task<List<int>> looping = WorkQueueCoyoteTests.Actor(() => WaitWithErrorAsync(writer, 10, 3, error));
                Task<bool> completer = WorkQueueCoyoteTests.Actor(() => Task.FromResult(writer.TryComplete(error)));
                List<int> accepted = [.. await writing, .. await looping];
                Specification.Assert(await completer, "TryComplete closed the open queue.");
                await queue.Completion;
                AssertHandled(accepted, handled);
            },
            output);
    }

    // The canonical loop, checking that a closed queue reports the error TryComplete was given.
    private static async Task<List<int>> WaitWithErrorAsync(ChannelWriter<int> writer, int from, int count, Exception error)
    {
        var accepted = new List<int>();
        for (int i = from; i < from + count; i++)
        {
            while (!writer.TryWrite(i))
            {
                try
                {
                    await writer.WaitToWriteAsync();
                }
                catch (FormatException thrown)
                {
                    Specification.Assert(ReferenceEquals(thrown, error), "WaitToWriteAsync throws the error given to TryComplete.");
                    return accepted;
                }
            }

            accepted.Add(i);
        }

        return accepted;
    }

    // The handler adds under a lock on the list: copy it under that lock, then compare.
    private static void AssertHandled(List<int> accepted, List<int> handled)
    {
        List<int> copy;
        lock (handled)
        {
            copy = [.. handled];
        }

        WorkQueueCoyoteTests.AssertSameItems(accepted, copy, "handled");
    }
}
