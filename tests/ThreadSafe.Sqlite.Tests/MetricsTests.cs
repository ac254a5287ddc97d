using System.Diagnostics.Metrics;
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
        var measurements = new List<(string Instrument, double Value)>();
        using MeterListener listener = Listen("threadsafe.sqlite.", name, (instrument, value) =>
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value));
            }
        });

        await using (SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { Name = name, ReadConnections = 1 }))
        {
            using var release = new ManualResetEventSlim();
            using var inside = new ManualResetEventSlim();
            Task blocker = db.WriteAsync(_ =>
            {
                inside.Set();
                Assert.True(release.Wait(TestLimits.Wait));
            });
            Assert.True(inside.Wait(TestLimits.Wait));
            Task[] batch = [.. Enumerable.Range(1, 3).Select(i => db.WriteAsync(c => TempFolder.Insert(c, i)))];
            Task<int> slowRead = db.ReadAsync(_ =>
            {
                Assert.True(release.Wait(TestLimits.Wait));
                return 0;
            });
            Task<int> waitingRead = db.ReadAsync(_ => 1);
            release.Set();
            await Task.WhenAll([blocker, .. batch, slowRead, waitingRead]);
        }

        lock (measurements)
        {
            Assert.Contains(measurements, m => m.Instrument == "threadsafe.sqlite.batch.size" && m.Value == 3);
            Assert.Contains(measurements, m => m.Instrument == "threadsafe.sqlite.commit.duration" && m.Value > 0);
            Assert.Contains(measurements, m => m.Instrument == "threadsafe.sqlite.read_pool.waits" && m.Value == 1);
            Assert.Contains(measurements, m => m.Instrument == "threadsafe.sqlite.read_pool.wait.duration");
            double queued = measurements.Where(m => m.Instrument == "threadsafe.sqlite.queue.length").Sum(m => m.Value);
            Assert.Equal(0, queued); // every +1 was matched by a -1
            Assert.Contains(measurements, m => m.Instrument == "threadsafe.sqlite.queue.length" && m.Value == 1);
        }
    }

    [Fact]
    public async Task ThrowingMeterListener_LosesItsMeasurements_NeverAWriteItsAcknowledgementOrARead()
    {
        string name = $"throwing-listener-{Guid.NewGuid():N}";
        int thrown = 0;
        using MeterListener listener = Listen("threadsafe.", name, (instrument, _) =>
        {
            Interlocked.Increment(ref thrown);
            throw new InvalidOperationException("listener fails on " + instrument.Name);
        });

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

        Assert.True(Volatile.Read(ref thrown) > 0, "the listener saw the database's measurements (and threw on them)");
    }

    // Listens to the "ThreadSafe" meter's instruments named prefix*, passing on the measurements tagged with the database's name.
    private static MeterListener Listen(string prefix, string name, Action<Instrument, double> onMeasurement)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ThreadSafe" && instrument.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Measured(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "threadsafe.name" && Equals(tag.Value, name))
                {
                    onMeasurement(instrument, value);
                }
            }
        }

        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Measured(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Measured(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Measured(i, v, t));
        listener.Start();
        return listener;
    }
}
