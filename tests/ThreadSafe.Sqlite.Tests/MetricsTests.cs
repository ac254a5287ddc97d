using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Sqlite.Tests;

public sealed class MetricsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Metrics_BatchSizeCommitDurationQueueLengthAndReadPoolWaits_AreRecordedOnTheThreadSafeMeter_TaggedWithTheName()
    {
        string name = $"metrics-{Guid.NewGuid():N}";
        using var recorder = new MeterRecorder("threadsafe.sqlite.", name);

        await using (SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { Name = name, ReadConnections = 1 }))
        {
            var holder = new BlockingHandler();
            Task blocker = db.WriteAsync(_ => holder.Block());
            await holder.WaitEnteredAsync();
            Task[] batch = [.. Enumerable.Range(1, 3).Select(i => db.WriteAsync(c => TempFolder.Insert(c, i)))];
            Task<int> slowRead = db.ReadAsync(_ =>
            {
                holder.Block();
                return 0;
            });
            Task<int> waitingRead = db.ReadAsync(_ => 1);
            holder.Release();
            await Task.WhenAll([blocker, .. batch, slowRead, waitingRead]);
        }

        Assert.Contains(3, recorder.Values("threadsafe.sqlite.batch.size"));
        Assert.Contains(recorder.Values("threadsafe.sqlite.commit.duration"), v => v > 0);
        Assert.Contains(1, recorder.Values("threadsafe.sqlite.read_pool.waits"));
        Assert.NotEmpty(recorder.Values("threadsafe.sqlite.read_pool.wait.duration"));
        Assert.Equal(0, recorder.Sum("threadsafe.sqlite.queue.length")); // every +1 was matched by a -1
        Assert.Contains(1, recorder.Values("threadsafe.sqlite.queue.length"));
    }

    [Fact]
    public async Task ThrowingMeterListener_LosesItsMeasurements_NeverAWriteItsAcknowledgementOrARead()
    {
        string name = $"throwing-listener-{Guid.NewGuid():N}";
        using var listener = MeterRecorder.Throwing("threadsafe.", name);

        await using (SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { Name = name, ReadConnections = 1 }))
        {
            for (int i = 1; i <= 10; i++)
            {
                int id = i;
                await db.WriteAsync(c => TempFolder.Insert(c, id)).WaitAsync(TestLimits.Wait); // acknowledged after COMMIT
            }

            db.Write(c => TempFolder.Insert(c, 11));
            var holder = new BlockingHandler();
            Task<long> slowRead = db.ReadAsync(c =>
            {
                holder.Block();
                return TempFolder.Count(c);
            });
            await holder.WaitEnteredAsync();
            Task<long> waitingRead = db.ReadAsync(c => TempFolder.Count(c)); // the only read connection is busy: it waits
            holder.Release();
            Assert.Equal(11, await slowRead.WaitAsync(TestLimits.Wait));
            Assert.Equal(11, await waitingRead.WaitAsync(TestLimits.Wait));
        }

        Assert.True(listener.Thrown > 0, "the listener saw the database's measurements (and threw on them)");
    }
}
