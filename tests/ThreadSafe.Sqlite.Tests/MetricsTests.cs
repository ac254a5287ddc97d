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
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ThreadSafe" && instrument.Name.StartsWith("threadsafe.sqlite.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "threadsafe.name" && Equals(tag.Value, name))
                {
                    lock (measurements)
                    {
                        measurements.Add((instrument.Name, value));
                    }
                }
            }
        }

        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

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
}
