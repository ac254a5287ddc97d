using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.Metrics;

/// <summary>A metrics listener is an observer of <see cref="SingleWriter{TResource}"/>: when it throws, it loses its measurement, nothing else.</summary>
public sealed class SingleWriterMetricsTests
{
    [Fact]
    public async Task ThrowingMeterListener_NeverLosesAWrite_NorAnAcknowledgement_NorTheWriter()
    {
        string name = $"throwing-listener-{Guid.NewGuid():N}";
        using var listener = MeterRecorder.Throwing("threadsafe.single_writer.", name);

        var writer = new SingleWriter<List<int>>(() => new List<int>(), new SingleWriterOptions<List<int>> { Name = name });
        for (int i = 0; i < 20; i++)
        {
            int written = i;
            Assert.Equal(i + 1, await writer.ExecuteAsync(rows => { rows.Add(written); return rows.Count; }).WaitAsync(TestLimits.Wait));
        }

        Assert.Equal(21, writer.Execute(rows => { rows.Add(20); return rows.Count; }));
        writer.Post(rows => rows.Add(21));
        List<int> all = await writer.ExecuteAsync(rows => rows.ToList()).WaitAsync(TestLimits.Wait);
        await writer.CompleteAsync().WaitAsync(TestLimits.Wait);

        Assert.Equal(Enumerable.Range(0, 22), all);
        Assert.True(listener.Thrown > 0, "the listener saw the writer's measurements (and threw on them)");
    }
}
