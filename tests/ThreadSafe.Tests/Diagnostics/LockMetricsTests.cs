using ThreadSafe.Diagnostics;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.Diagnostics;

/// <summary>Contention metrics on the "ThreadSafe" meter: names, tags and values, globally or for one guard.</summary>
[Collection(LockOrderCollection.Name)]
public sealed class LockMetricsTests : LockDiagnosticsTestBase, IDisposable
{
    private readonly MeterRecorder _recorder = new("threadsafe.lock.");

    void IDisposable.Dispose()
    {
        _recorder.Dispose();
        Dispose();
    }

    private List<(string Instrument, double Value, string? Access)> Of(string guardName) =>
        [.. _recorder.Measurements.Where(m => m.Tag("threadsafe.name") == guardName).Select(m => (m.Instrument, m.Value, m.Tag("threadsafe.lock.access")))];

    [Fact]
    public void Global_ContendedGuarded_RecordsContentionWaitAndHold_TaggedWithNameAndAccess()
    {
        EnableWithManualClock(metrics: true);
        var guard = new Guarded<int>(0, name: "metrics stock");
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = TestThread.Start(() => guard.Write(_ => { entered.Set(); Assert.True(release.Wait(TestLimits.Wait)); }), "holder");
        Assert.True(entered.Wait(TestLimits.Wait));
        var waiter = TestThread.Start(() => guard.Write(v => v + 1), "waiter");
        Poll.Until(() => guard.GetLockInfo().WaiterCount == 1, "the waiter waits");
        Clock.Advance(TimeSpan.FromSeconds(3));
        release.Set();
        TestThread.JoinAll(holder, waiter);

        var seen = Of("metrics stock");
        Assert.Equal(1, seen.Count(m => m.Instrument == "threadsafe.lock.contentions"));
        Assert.Equal(new[] { 0.0, 3.0 }, seen.Where(m => m.Instrument == "threadsafe.lock.wait.duration").Select(m => m.Value).Order());
        Assert.Equal(new[] { 0.0, 3.0 }, seen.Where(m => m.Instrument == "threadsafe.lock.hold.duration").Select(m => m.Value).Order());
        Assert.All(seen, m => Assert.Equal("exclusive", m.Access));
    }

    [Fact]
    public void PerGuard_ReadWriteGuarded_RecordsWhileDiagnosticsAreOff_AndOthersDoNot()
    {
        LockDiagnostics.Enable(new LockDiagnosticsOptions { Clock = Clock }); // only to set the clock
        LockDiagnostics.Disable();
        var watched = new ReadWriteGuarded<int>(0, name: "metrics watched") { RecordsMetrics = true };
        var other = new ReadWriteGuarded<int>(0, name: "metrics other");
        watched.Write(_ => Clock.Advance(TimeSpan.FromSeconds(2)));
        watched.Read(v => v);
        other.Write(v => v + 1);

        var seen = Of("metrics watched");
        Assert.Equal(new (string, double, string?)[] { ("threadsafe.lock.hold.duration", 2.0, "write") }, seen.Where(m => m is { Instrument: "threadsafe.lock.hold.duration", Access: "write" }));
        Assert.Single(seen, m => m is { Instrument: "threadsafe.lock.hold.duration", Access: "read" });
        Assert.DoesNotContain(seen, m => m.Instrument == "threadsafe.lock.contentions");
        Assert.Empty(Of("metrics other"));
    }

    [Fact]
    public async Task Global_AsyncGuarded_HandOff_RecordsTheWaitUntilHandOff_AndTheHold()
    {
        EnableWithManualClock(metrics: true);
        var guard = new AsyncGuarded<int>(0, name: "metrics cache");
        var holding = new BlockingHandler();
        Task holder = guard.WriteAsync(async (_, _) => await holding.BlockAsync()).AsTask();
        await holding.WaitEnteredAsync();
        Task waiter = guard.WriteAsync(_ => Clock.Advance(TimeSpan.FromSeconds(1))).AsTask();
        Clock.Advance(TimeSpan.FromSeconds(4));
        holding.Release();
        await Poll.Within(Task.WhenAll(holder, waiter), "holder and waiter");

        var seen = Of("metrics cache");
        Assert.Equal(1, seen.Count(m => m.Instrument == "threadsafe.lock.contentions"));
        Assert.Equal(new[] { 0.0, 4.0 }, seen.Where(m => m.Instrument == "threadsafe.lock.wait.duration").Select(m => m.Value).Order());
        Assert.Equal(new[] { 1.0, 4.0 }, seen.Where(m => m.Instrument == "threadsafe.lock.hold.duration").Select(m => m.Value).Order());
    }

    [Fact]
    public void ListenerThatThrows_LosesItsMeasurement_AndTheGuardWorksOn()
    {
        using var throwing = MeterRecorder.Throwing("threadsafe.lock.");
        var guard = new Guarded<int>(0, name: "metrics throwing listener") { RecordsMetrics = true };
        Assert.Equal(1, guard.Update(v => v + 1));
        Assert.Equal(1, guard.Read(v => v));
        Assert.False(guard.GetLockInfo().IsHeld);
        Assert.True(throwing.Thrown > 0, "the listener saw the guard's measurements (and threw on them)");
    }
}
