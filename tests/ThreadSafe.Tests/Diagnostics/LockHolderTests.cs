using ThreadSafe.Diagnostics;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.Diagnostics;

/// <summary>Who holds a guard, since when, and who waits: real threads and async flows, for every guard type.</summary>
[Collection(LockOrderCollection.Name)]
public sealed class LockHolderTests : LockDiagnosticsTestBase
{
    [Fact]
    public void Guarded_HeldByAThread_InfoNamesTheThreadAndDuration_AndCountsWaiters()
    {
        EnableWithManualClock();
        var guard = new Guarded<int>(0, name: "stock");
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = TestThread.Start(() => guard.Write(_ => { entered.Set(); Assert.True(release.Wait(TestLimits.Wait)); }), "holder");
        Assert.True(entered.Wait(TestLimits.Wait));
        var waiters = new[] { TestThread.Start(() => guard.Update(v => v + 1), "waiter 1"), TestThread.Start(() => guard.Update(v => v + 1), "waiter 2") };
        Poll.Until(() => guard.GetLockInfo().WaiterCount == 2, "two waiters tracked");
        Clock.Advance(TimeSpan.FromSeconds(5));

        LockInfo info = guard.GetLockInfo();
        Assert.True(info.IsHeld);
        Assert.True(info.IsTracked);
        LockFlow held = Assert.Single(info.Holders);
        Assert.Equal("holder", held.ThreadName);
        Assert.Equal(LockAccess.Exclusive, held.Access);
        Assert.True(held.IsHolding);
        Assert.Equal(TimeSpan.FromSeconds(5), held.Duration);
        Assert.Equal(new[] { "waiter 1", "waiter 2" }, info.Waiters.Select(w => w.ThreadName).Order());
        Assert.All(info.Waiters, w => Assert.Equal(TimeSpan.FromSeconds(5), w.Duration));
        Assert.Contains("held by thread", guard.DebuggerState, StringComparison.Ordinal);
        Assert.Contains("'holder'", guard.DebuggerState, StringComparison.Ordinal);
        Assert.EndsWith("2 waiting", guard.DebuggerState, StringComparison.Ordinal);
        Assert.Equal(2, new GuardedDebugView<int>(guard).Waiters.Count);

        release.Set();
        TestThread.JoinAll([holder, .. waiters]);
        LockInfo after = guard.GetLockInfo();
        Assert.False(after.IsHeld);
        Assert.Empty(after.Holders);
        Assert.Equal(0, after.WaiterCount);
        Assert.Equal(2, guard.Read(v => v));
    }

    [Fact]
    public void Guarded_TryWriteThatTimesOut_LeavesNoWaiterBehind()
    {
        EnableWithManualClock();
        var guard = new Guarded<int>(0, name: "try");
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = TestThread.Start(() => guard.Write(_ => { entered.Set(); Assert.True(release.Wait(TestLimits.Wait)); }), "holder");
        Assert.True(entered.Wait(TestLimits.Wait));
        Assert.False(guard.TryWrite(_ => { }, TimeSpan.FromMilliseconds(20)));
        Assert.Equal(0, guard.GetLockInfo().WaiterCount);
        release.Set();
        holder.Join();
        Assert.Empty(guard.GetLockInfo().Holders);
    }

    [Fact]
    public void ReadWriteGuarded_ReadersAndAWaitingWriter_AreListedWithTheirAccess()
    {
        EnableWithManualClock();
        var guard = new ReadWriteGuarded<int>(0, name: "prices");
        using var bothIn = new CountdownEvent(2);
        using var release = new ManualResetEventSlim();
        using var writerIn = new ManualResetEventSlim();
        using var releaseWriter = new ManualResetEventSlim();
        TestThread Reader(string name) => TestThread.Start(() => guard.Read(v => { bothIn.Signal(); Assert.True(release.Wait(TestLimits.Wait)); return v; }), name);
        var readers = new[] { Reader("reader 1"), Reader("reader 2") };
        Assert.True(bothIn.Wait(TestLimits.Wait));
        var writer = TestThread.Start(() => guard.Write(_ => { writerIn.Set(); Assert.True(releaseWriter.Wait(TestLimits.Wait)); }), "writer");
        Poll.Until(() => guard.GetLockInfo().WaiterCount == 1, "the writer waits");

        LockInfo info = guard.GetLockInfo();
        Assert.Equal(new[] { "reader 1", "reader 2" }, info.Holders.Select(h => h.ThreadName).Order());
        Assert.All(info.Holders, h => Assert.Equal(LockAccess.Read, h.Access));
        LockFlow waiting = Assert.Single(info.Waiters);
        Assert.Equal(("writer", LockAccess.Write, false), (waiting.ThreadName, waiting.Access, waiting.IsHolding));

        release.Set();
        Assert.True(writerIn.Wait(TestLimits.Wait));
        LockInfo writing = guard.GetLockInfo();
        LockFlow writerHolds = Assert.Single(writing.Holders);
        Assert.Equal(("writer", LockAccess.Write, true), (writerHolds.ThreadName, writerHolds.Access, writerHolds.IsHolding));
        Assert.Equal(0, writing.WaiterCount);
        releaseWriter.Set();
        TestThread.JoinAll([.. readers, writer]);
        Assert.False(guard.GetLockInfo().IsHeld);
        Assert.Empty(guard.GetLockInfo().Holders);
    }

    [Fact]
    public async Task AsyncGuarded_AsyncHolderAcrossAwaits_IsListedAsAsyncFlow_AndACancelledWaiterLeavesTheList()
    {
        EnableWithManualClock();
        var guard = new AsyncGuarded<int>(0, name: "cache");
        var holding = new BlockingHandler();
        Task holder = guard.WriteAsync(async (_, _) => await holding.BlockAsync()).AsTask();
        await holding.WaitEnteredAsync();
        LockInfo? seenByWaiter = null;
        Task waiter = guard.WriteAsync(_ => { seenByWaiter = guard.GetLockInfo(); }).AsTask();
        using var cancel = new CancellationTokenSource();
        Task cancelled = guard.WriteAsync(_ => { }, cancel.Token).AsTask();
        Clock.Advance(TimeSpan.FromSeconds(2));

        LockInfo info = guard.GetLockInfo();
        LockFlow held = Assert.Single(info.Holders);
        Assert.True(held.IsAsync);
        Assert.Equal(TimeSpan.FromSeconds(2), held.Duration);
        Assert.Equal(2, info.WaiterCount);
        Assert.Equal(2, info.Waiters.Count);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, guard.GetLockInfo().WaiterCount);

        holding.Release();
        await Poll.Within(Task.WhenAll(holder, waiter), "holder and waiter");
        LockFlow handedTo = Assert.Single(seenByWaiter!.Holders);
        Assert.False(handedTo.IsAsync);
        Assert.Equal(0, seenByWaiter.WaiterCount);
        LockInfo after = guard.GetLockInfo();
        Assert.False(after.IsHeld);
        Assert.Empty(after.Holders);
        Assert.Equal(0, after.WaiterCount);
    }

    [Fact]
    public void Snapshot_ListsOnlyGuardsHeldLongerThanTheThreshold_LongestFirst()
    {
        EnableWithManualClock();
        var longHeld = new Guarded<int>(0, name: "snapshot long");
        var shortHeld = new ReadWriteGuarded<int>(0, name: "snapshot short");
        var free = new Guarded<int>(0, name: "snapshot free");
        free.Write(v => v + 1);
        using var longIn = new ManualResetEventSlim();
        using var shortIn = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = TestThread.Start(() => longHeld.Write(_ => { longIn.Set(); Assert.True(release.Wait(TestLimits.Wait)); }), "long");
        Assert.True(longIn.Wait(TestLimits.Wait));
        Clock.Advance(TimeSpan.FromSeconds(10));
        var second = TestThread.Start(() => shortHeld.Write(_ => { shortIn.Set(); Assert.True(release.Wait(TestLimits.Wait)); }), "short");
        Assert.True(shortIn.Wait(TestLimits.Wait));
        Clock.Advance(TimeSpan.FromSeconds(1));

        static string[] Mine(IReadOnlyList<LockInfo> infos) => [.. infos.Select(i => i.Name).Where(n => n.StartsWith("snapshot", StringComparison.Ordinal))];
        Assert.Equal(new[] { "snapshot long" }, Mine(LockDiagnostics.Snapshot(TimeSpan.FromSeconds(5))));
        Assert.Equal(new[] { "snapshot long", "snapshot short" }, Mine(LockDiagnostics.Snapshot()));
        string text = LockDiagnostics.Snapshot(TimeSpan.FromSeconds(5)).Single(i => i.Name == "snapshot long").ToString();
        Assert.Contains("snapshot long (Guarded<int>): held", text, StringComparison.Ordinal);
        Assert.Contains("held by thread", text, StringComparison.Ordinal);
        Assert.Contains("'long', for 11.000 s", text, StringComparison.Ordinal);

        release.Set();
        TestThread.JoinAll(first, second);
        Assert.Empty(Mine(LockDiagnostics.Snapshot()));
    }

    [Fact]
    public void Off_NothingIsTracked_ButInfoStillTellsWhetherHeld()
    {
        var guard = new Guarded<int>(0, name: "untracked");
        LockInfo inside = guard.Read(_ => guard.GetLockInfo());
        Assert.True(inside.IsHeld);
        Assert.False(inside.IsTracked);
        Assert.Empty(inside.Holders);
        Assert.Equal("held", guard.Read(_ => guard.DebuggerState));
        Assert.DoesNotContain(LockDiagnostics.Snapshot(), i => i.Name == "untracked");
        Assert.False(guard.GetLockInfo().IsHeld);
    }

    [Fact]
    public void TakenBeforeTrackingBegan_ShowsHeldWithNoHolder_AndIsForgottenOnRelease()
    {
        var guard = new Guarded<int>(0, name: "early");
        guard.Write(_ =>
        {
            EnableWithManualClock();
            LockInfo info = guard.GetLockInfo();
            Assert.True(info.IsHeld);
            Assert.Empty(info.Holders);
        });
        Assert.False(guard.GetLockInfo().IsHeld);
        guard.Write(_ => Assert.Single(guard.GetLockInfo().Holders));
        Assert.Empty(guard.GetLockInfo().Holders);
    }

    [Fact]
    public void Registry_DoesNotKeepACollectedGuardAlive()
    {
        EnableWithManualClock();
        WeakReference weak = UseAndDrop();
        for (int i = 0; i < 3 && weak.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(weak.IsAlive);
        Assert.DoesNotContain(LockDiagnostics.Snapshot(), info => info.Name == "dropped");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference UseAndDrop()
    {
        var guard = new ReadWriteGuarded<int>(0, name: "dropped");
        guard.Write(v => v + 1); // registers it
        Assert.NotNull(guard.Read(_ => LockDiagnostics.Snapshot().SingleOrDefault(i => i.Name == "dropped")));
        return new WeakReference(guard);
    }

    [Fact]
    public async Task DebuggerViews_ShowHoldersInsideADelegate_ForEveryGuardType()
    {
        EnableWithManualClock();
        var guarded = new Guarded<int>(1, name: "view g");
        var readWrite = new ReadWriteGuarded<int>(2, name: "view rw");
        var asyncGuarded = new AsyncGuarded<int>(3, name: "view a");
        Assert.Equal((1, 1), guarded.Read(_ => { var view = new GuardedDebugView<int>(guarded); return (view.Holders.Count, view.Value); }));
        Assert.Equal((1, 2), readWrite.Read(_ => { var view = new GuardedDebugView<int>(readWrite); return (view.Holders.Count, view.Value); }));
        Assert.Equal((1, 3), await asyncGuarded.ReadAsync(_ => { var view = new GuardedDebugView<int>(asyncGuarded); return (view.Holders.Count, view.Value); }));
        var free = new GuardedDebugView<int>(readWrite);
        Assert.Equal(("view rw", "free"), (free.Name, free.State));
        Assert.Empty(free.Waiters);
    }

    [Theory]
    [InlineData("on", GuardInstrumentation.TrackingFlag)]
    [InlineData(" METRICS ", GuardInstrumentation.TrackingFlag | GuardInstrumentation.MetricsFlag)]
    [InlineData("off", 0)]
    [InlineData("", 0)]
    [InlineData("yes", 0)]
    public void EnvironmentVariable_OnOrMetricsTurnsDiagnosticsOn_AnythingElseLeavesThemOff(string value, int expected)
    {
        string? before = Environment.GetEnvironmentVariable(LockDiagnostics.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(LockDiagnostics.EnvironmentVariable, value);
            Assert.Equal(expected, LockDiagnostics.FlagsFromEnvironment());
        }
        finally
        {
            Environment.SetEnvironmentVariable(LockDiagnostics.EnvironmentVariable, before);
        }
    }

    [Fact]
    public void RecordsMetrics_TracksThatGuardAlone_WhileDiagnosticsAreOff()
    {
        var watched = new Guarded<int>(0, name: "watched") { RecordsMetrics = true };
        var other = new Guarded<int>(0, name: "other");
        Assert.Single(watched.Read(_ => watched.GetLockInfo()).Holders);
        Assert.False(other.Read(_ => other.GetLockInfo()).IsTracked);
    }
}
