using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests;

/// <summary>Group commit with <see cref="SingleWriterOptions{TResource}.MaxCommitDelay"/> on real threads.</summary>
public sealed class SingleWriterCommitDelayTests
{
    // Long enough that a test only finishes in time if the delay ends early (batch full or completion) or never starts.
    private static readonly TimeSpan LongDelay = TimeSpan.FromHours(1);

    [Fact]
    public async Task MaxCommitDelay_WriteArrivingDuringTheDelay_JoinsTheBatchBeforeItCommits()
    {
        var sizes = new List<int>();
        (SingleWriter<FakeDb> writer, ManualResetEvent gate, Task blocked) = StartBlocked(3, LongDelay, sizes);
        await using (writer)
        {
            Task w1 = writer.ExecuteAsync(db => db.Insert(1, 1));
            Task w2 = writer.ExecuteAsync(db => db.Insert(2, 1));
            gate.Set();
            await WaitUntilTaken(writer);

            Task w3 = writer.ExecuteAsync(db => db.Insert(3, 1)); // the writer holds {w1, w2} back: w3 fills the batch
            await Task.WhenAll(blocked, w1, w2, w3).WaitAsync(TestLimits.Wait);

            Assert.Equal("1,3", Snapshot(sizes));
        }

        gate.Dispose();
    }

    [Fact]
    public async Task MaxCommitDelay_LoneWriterAwaitingEachWrite_IsNeverDelayed()
    {
        var sizes = new List<int>();
        SingleWriterOptions<FakeDb> options = Options(3, LongDelay, sizes);
        await using var writer = new SingleWriter<FakeDb>(() => new FakeDb(), options);

        for (int i = 0; i < 5; i++)
        {
            await writer.ExecuteAsync(db => db.Insert(0, i)).WaitAsync(TestLimits.Wait); // a delay would take an hour
        }

        Assert.Equal("1,1,1,1,1", Snapshot(sizes));
    }

    [Fact]
    public async Task MaxCommitDelay_CompleteAsyncDuringTheDelay_CommitsTheHeldBatchAtOnce()
    {
        var sizes = new List<int>();
        (SingleWriter<FakeDb> writer, ManualResetEvent gate, Task blocked) = StartBlocked(3, LongDelay, sizes);
        Task w1 = writer.ExecuteAsync(db => db.Insert(1, 1));
        Task w2 = writer.ExecuteAsync(db => db.Insert(2, 1));
        gate.Set();
        await WaitUntilTaken(writer);

        await writer.CompleteAsync().WaitAsync(TestLimits.Wait);

        await Task.WhenAll(blocked, w1, w2).WaitAsync(TestLimits.Wait);
        Assert.Equal("1,2", Snapshot(sizes));
        gate.Dispose();
    }

    [Fact]
    public void MaxCommitDelay_Negative_IsRefusedNamingTheProperty()
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => new SingleWriterOptions<FakeDb> { MaxCommitDelay = TimeSpan.FromMilliseconds(-1) });
        Assert.Equal(nameof(SingleWriterOptions<FakeDb>.MaxCommitDelay), error.ParamName);
    }

    // A writer whose first write blocks on the returned gate, so that the next writes queue up behind it.
    private static (SingleWriter<FakeDb> Writer, ManualResetEvent Gate, Task Blocked) StartBlocked(int maxBatchSize, TimeSpan delay, List<int> sizes)
    {
        var gate = new ManualResetEvent(false);
        var started = new ManualResetEvent(false);
        var writer = new SingleWriter<FakeDb>(() => new FakeDb(), Options(maxBatchSize, delay, sizes));
        Task blocked = writer.ExecuteAsync(db =>
        {
            started.Set();
            Assert.True(gate.WaitOne(TestLimits.Wait), "the test never opened the gate");
            db.Insert(0, 0);
        });
        Assert.True(started.WaitOne(TestLimits.Wait), "the first write never started");
        started.Dispose();
        return (writer, gate, blocked);
    }

    private static SingleWriterOptions<FakeDb> Options(int maxBatchSize, TimeSpan delay, List<int> sizes)
    {
        int writes = 0;
        return FakeDb.Transactional(
            maxBatchSize,
            maxCommitDelay: delay,
            beforeWrite: _ => writes++,
            afterCommit: _ =>
            {
                lock (sizes)
                {
                    sizes.Add(writes);
                }

                writes = 0;
            });
    }

    // Bounded wait until the writer has taken every queued write into its batch.
    private static Task WaitUntilTaken(SingleWriter<FakeDb> writer) =>
        Poll.UntilAsync(() => writer.QueueLength == 0, "the writer takes the queued writes");

    // Batch sizes as text: int array literals are stored as data fields that Coyote's rewriting breaks in this assembly.
    private static string Snapshot(List<int> sizes)
    {
        lock (sizes)
        {
            return string.Join(",", sizes);
        }
    }
}
