using ThreadSafe.Diagnostics;
using ThreadSafe.Testing;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.Diagnostics;

/// <summary>Lock-order checking on real threads: inversions found with both stacks, no report for a consistent order.</summary>
[Collection(LockOrderCollection.Name)]
public sealed class LockOrderTests : LockOrderTestBase
{
    private static void OnThread(string name, Action body)
    {
        Exception? failure = Record.Exception(TestThread.Start(body, name).Join);
        if (failure is not null)
        {
            throw new Xunit.Sdk.XunitException($"thread {name} failed: {failure}");
        }
    }

    [Fact]
    public void Throw_OppositeOrder_ThrowsBeforeTakingTheLock_NamingBothLocksAndBothStacks()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        var accounts = new Guarded<List<int>>([], name: "accounts");
        var audit = new Guarded<List<string>>([], name: "audit");
        OnThread("first-order", () => accounts.Write(_ => audit.Write(log => log.Add("a->b"))));

        bool innerRan = false;
        LockOrderException? thrown = null;
        OnThread("inverse-order", () => audit.Write(_ =>
            thrown = Assert.Throws<LockOrderException>(() => accounts.Write(_ => innerRan = true))));

        Assert.False(innerRan);
        LockOrderReport report = thrown!.Report!;
        Assert.Equal(LockOrderReportKind.Inversion, report.Kind);
        Assert.Equal("audit", report.HeldLock);
        Assert.Equal("accounts", report.AcquiredLock);
        LockOrderEdge recorded = Assert.Single(report.RecordedPath);
        Assert.Equal(("accounts", "audit"), (recorded.From, recorded.To));
        Assert.Contains("'first-order'", recorded.Thread, StringComparison.Ordinal);
        Assert.Contains("'inverse-order'", report.Thread, StringComparison.Ordinal);
        Assert.Contains(nameof(Throw_OppositeOrder_ThrowsBeforeTakingTheLock_NamingBothLocksAndBothStacks), recorded.StackTrace, StringComparison.Ordinal);
        Assert.Contains(nameof(Throw_OppositeOrder_ThrowsBeforeTakingTheLock_NamingBothLocksAndBothStacks), report.StackTrace, StringComparison.Ordinal);
        Assert.Contains("accounts -> audit", thrown.Message, StringComparison.Ordinal);
        accounts.Write(l => l.Add(1)); // neither lock was left held
        audit.Write(l => l.Add("free"));
    }

    [Fact]
    public void Report_OppositeOrder_ReportedOncePerPair_AndTheAcquisitionProceeds()
    {
        LockOrder.Enable(LockOrderMode.Report);
        var a = new Guarded<int>(0, name: "a");
        var b = new Guarded<int>(0, name: "b");
        a.Write(_ => b.Write(_ => { }));
        int ran = 0;
        for (int i = 0; i < 3; i++)
        {
            b.Write(_ => a.Write(_ => ran++));
        }

        Assert.Equal(3, ran);
        LockOrderReport report = Assert.Single(Reports);
        Assert.Equal(("b", "a"), (report.HeldLock, report.AcquiredLock));
    }

    [Fact]
    public void ThreeLockCycle_IsFound_WithTheWholeRecordedPath()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        var a = new Guarded<int>(0, name: "A");
        var b = new ReadWriteGuarded<int>(0, name: "B");
        var c = new Guarded<int>(0, name: "C");
        OnThread("t1", () => a.Write(_ => b.Write(_ => { })));
        OnThread("t2", () => b.Read(_ =>
        {
            c.Write(_ => { });
            return 0;
        }));
        LockOrderException? thrown = null;
        OnThread("t3", () => c.Write(_ => thrown = Assert.Throws<LockOrderException>(() => a.Write(_ => { }))));

        LockOrderReport report = thrown!.Report!;
        Assert.Equal(["A -> B", "B -> C"], report.RecordedPath.Select(e => $"{e.From} -> {e.To}"));
        Assert.Equal(("C", "A"), (report.HeldLock, report.AcquiredLock));
    }

    [Fact]
    public void ConsistentOrder_100Threads_NoReportAndNoException()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        var a = new Guarded<int>(0);
        var b = new ReadWriteGuarded<int>(0);
        var c = new Guarded<int>(0);
        var d = new AsyncGuarded<int>(0);
        Concurrently.Run(
            index =>
            {
                for (int i = 0; i < 50; i++)
                {
                    // Subsets of one global order A < B < C < D, some with reads, some skipping levels.
                    switch ((index + i) % 4)
                    {
                        case 0: a.Write(_ => b.Write(_ => c.Write(_ => d.WriteAsync(v => { }).AsTask().Wait(TestLimits.Wait)))); break;
                        case 1: a.Write(_ => c.Write(x => x + 1)); break;
                        case 2: b.Read(_ => c.Read(x => x)); break;
                        default: b.Write(_ => d.WriteAsync(v => { }).AsTask().Wait(TestLimits.Wait)); break;
                    }
                }
            },
            new ConcurrentRunOptions { Threads = 100, Timeout = TestLimits.StressRun, ThreadName = "worker" });

        Assert.Empty(Reports);
        Assert.True(LockOrder.EdgeCount is > 0 and <= 6, $"edges: {LockOrder.EdgeCount}");
    }

    [Fact]
    public void ReleasedBeforeNextIsTaken_RecordsNoOrder()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        var a = new Guarded<int>(0);
        var b = new Guarded<int>(0);
        a.Write(_ => { });
        b.Write(_ => { });
        b.Write(_ => { });
        a.Write(_ => { });
        Assert.Equal(0, LockOrder.EdgeCount);
        Assert.Empty(Reports);
    }

    [Fact]
    public void TryWrite_InverseOrder_IsNotAnInversion_ButCountsAsHeldInside()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        var a = new Guarded<int>(0, name: "a");
        var b = new ReadWriteGuarded<int>(0, name: "b");
        a.Write(_ => b.Write(_ => { }));
        Assert.True(b.TryWrite(_ => Assert.True(a.TryWrite(_ => { }, TimeSpan.FromSeconds(1))), TimeSpan.FromSeconds(1)));
        Assert.True(b.TryRead(_ => a.TryWrite(_ => { }, TimeSpan.Zero), TimeSpan.Zero, out bool inner) && inner);
        Assert.Equal(1, LockOrder.EdgeCount);

        // Held through TryWrite, b still orders a blocking acquisition of a made inside: that is the inversion.
        Assert.Throws<LockOrderException>(() => b.TryWrite(_ => a.Write(_ => { }), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task AsyncFlows_AcrossAwait_InversionFound()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        var a = new AsyncGuarded<int>(0, name: "a");
        var b = new AsyncGuarded<int>(0, name: "b");
        await a.WriteAsync(async (_, ct) =>
        {
            await Task.Yield();
            await b.WriteAsync(async (_, ct2) => await Task.Yield(), ct);
        });

        LockOrderException thrown = await Assert.ThrowsAsync<LockOrderException>(async () =>
            await b.WriteAsync(async (_, ct) =>
            {
                await Task.Yield();
                await a.WriteAsync(async (_, ct2) => await Task.Yield(), ct);
            }));
        Assert.Equal(("b", "a"), (thrown.Report!.HeldLock, thrown.Report.AcquiredLock));
        Assert.Equal(1, await a.ReadAsync(_ => 1)); // released after the failure
    }

    [Fact]
    public async Task MixedSyncAndAsyncGuards_InversionFound()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        var asyncGuard = new AsyncGuarded<int>(0, name: "async");
        var syncGuard = new Guarded<int>(0, name: "sync");
        await asyncGuard.WriteAsync(async (_, _) =>
        {
            await Task.Yield();
            syncGuard.Write(_ => { });
        });

        var thrown = Assert.Throws<LockOrderException>(() => syncGuard.Write(held => asyncGuard.WriteAsync(_ => { }).AsTask().Wait(TestLimits.Wait)));
        Assert.Equal(("sync", "async"), (thrown.Report!.HeldLock, thrown.Report.AcquiredLock));
    }

    [Fact]
    public void ReadHolds_CountLikeWriteHolds()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        var a = new ReadWriteGuarded<int>(0, name: "a");
        var b = new ReadWriteGuarded<int>(0, name: "b");
        a.Read(_ => b.Read(x => x));
        Assert.Throws<LockOrderException>(() => b.Read(_ => a.Read(x => x)));
    }

    [Fact]
    public void LockClass_NestingTwoInstancesOfOneClass_IsReported_TransferBothWays()
    {
        LockOrder.Enable(LockOrderMode.Report);
        var from = new Guarded<decimal>(100m, name: "account 1", lockClass: "account");
        var to = new Guarded<decimal>(0m, name: "account 2", lockClass: "account");
        from.Write(_ => to.Write(v => v + 1));

        LockOrderReport report = Assert.Single(Reports);
        Assert.Empty(report.RecordedPath);
        Assert.Contains("one lock class", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Off_RecordsNothing()
    {
        var a = new Guarded<int>(0);
        var b = new Guarded<int>(0);
        a.Write(_ => b.Write(_ => { }));
        b.Write(_ => a.Write(_ => { }));
        Assert.Equal(0, LockOrder.EdgeCount);
        Assert.Empty(Reports);
    }

    [Fact]
    public void GraphFull_ReportedOnce_AndCheckingGoesOn()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        LockOrder.MaxEdges = 2;
        var guards = Enumerable.Range(0, 5).Select(i => new Guarded<int>(i, name: $"g{i}")).ToArray();
        for (int i = 0; i < 4; i++)
        {
            guards[i].Write(_ => guards[i + 1].Write(_ => { }));
        }

        Assert.Equal(2, LockOrder.EdgeCount);
        LockOrderReport full = Assert.Single(Reports);
        Assert.Equal(LockOrderReportKind.GraphFull, full.Kind);
        Assert.Throws<LockOrderException>(() => guards[1].Write(_ => guards[0].Write(_ => { })));
    }

    [Fact]
    public void GraphFull_DropsOrdersOfCollectedGuardsFirst()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        LockOrder.MaxEdges = 3;
        RecordOrdersOfShortLivedGuards();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var a = new Guarded<int>(0);
        var b = new Guarded<int>(0);
        a.Write(_ => b.Write(_ => { }));
        Assert.Empty(Reports);
        Assert.Equal(1, LockOrder.EdgeCount);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void RecordOrdersOfShortLivedGuards()
    {
        var x = new Guarded<int>(0);
        var y = new Guarded<int>(0);
        var z = new Guarded<int>(0);
        x.Write(_ => y.Write(_ => z.Write(_ => { })));
        Assert.Equal(3, LockOrder.EdgeCount);
    }

    [Fact]
    public void Enable_UndefinedMode_ThrowsNamingTheArgument()
    {
        Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => LockOrder.Enable((LockOrderMode)7)).ParamName);
        Assert.Equal("MaxEdges", Assert.Throws<ArgumentOutOfRangeException>(() => LockOrder.MaxEdges = 0).ParamName);
    }
}
