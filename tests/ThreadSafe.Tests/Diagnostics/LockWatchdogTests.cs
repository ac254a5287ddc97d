using System.Collections.Concurrent;
using ThreadSafe.Diagnostics;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.Diagnostics;

/// <summary>The hang watchdog: once per episode, on a hand-moved clock; and its callback contract.</summary>
[Collection(LockOrderCollection.Name)]
public sealed class LockWatchdogTests : LockDiagnosticsTestBase
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);

    /// <summary>A thread holding a guard until released.</summary>
    private sealed class Holding : IDisposable
    {
        private readonly ManualResetEventSlim _release = new();
        private readonly TestThread _thread;

        public Holding(Guarded<int> guard, string threadName)
        {
            using var entered = new ManualResetEventSlim();
            _thread = TestThread.Start(() => guard.Write(_ => { entered.Set(); Assert.True(_release.Wait(TestLimits.Wait)); }), threadName);
            Assert.True(entered.Wait(TestLimits.Wait));
        }

        public void Dispose()
        {
            _release.Set();
            _thread.Join();
            _release.Dispose();
        }
    }

    private static async Task<IReadOnlyList<LockInfo>> Check(LockWatchdog watchdog) =>
        (await Poll.Within(watchdog.CheckNowAsync(), "the watchdog's check and its callbacks")).Where(i => i.Name.StartsWith("wd ", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task HeldPastThreshold_ReportedOncePerEpisode_AndAgainForTheNextEpisode()
    {
        EnableWithManualClock();
        var reports = new ConcurrentQueue<LockInfo>();
        using var watchdog = new LockWatchdog(Threshold, reports.Enqueue, Timeout.InfiniteTimeSpan);
        var guard = new Guarded<int>(0, name: "wd stuck");

        using (new Holding(guard, "slow holder"))
        {
            Assert.Empty(await Check(watchdog));
            Clock.Advance(TimeSpan.FromSeconds(2));
            LockInfo report = Assert.Single(await Check(watchdog));
            Assert.Equal("slow holder", Assert.Single(report.Holders).ThreadName);
            Assert.Equal(TimeSpan.FromSeconds(2), report.LongestHold);
            Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Empty(await Check(watchdog)); // the same episode
        }

        Assert.Empty(await Check(watchdog));
        using (new Holding(guard, "next holder"))
        {
            Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal("next holder", Assert.Single(Assert.Single(await Check(watchdog)).Holders).ThreadName);
        }

        Assert.Equal(2, reports.Count(r => r.Name == "wd stuck"));
    }

    [Fact]
    public async Task WaitedOnPastThreshold_ReportNamesTheWaiters()
    {
        EnableWithManualClock();
        using var watchdog = new LockWatchdog(Threshold, _ => { }, Timeout.InfiniteTimeSpan);
        var guard = new Guarded<int>(0, name: "wd waited");
        TestThread waiter;
        using (new Holding(guard, "holder"))
        {
            waiter = TestThread.Start(() => guard.Write(v => v + 1), "blocked caller");
            Poll.Until(() => guard.GetLockInfo().WaiterCount == 1, "the caller waits");
            Clock.Advance(TimeSpan.FromSeconds(3));
            LockInfo report = Assert.Single(await Check(watchdog));
            Assert.Equal("blocked caller", Assert.Single(report.Waiters).ThreadName);
            Assert.Equal(TimeSpan.FromSeconds(3), report.LongestWait);
            Assert.Contains("waited on by thread", report.ToString(), StringComparison.Ordinal);
        }

        waiter.Join();
    }

    [Fact]
    public async Task CallbackThatThrows_IsContained_AndLaterEpisodesAreStillReported()
    {
        EnableWithManualClock();
        int calls = 0;
        using var watchdog = new LockWatchdog(Threshold, _ => { Interlocked.Increment(ref calls); throw new InvalidOperationException("callback bug"); }, Timeout.InfiniteTimeSpan);
        var first = new Guarded<int>(0, name: "wd throw 1");
        var second = new Guarded<int>(0, name: "wd throw 2");
        using (new Holding(first, "one"))
        {
            Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Single(await Check(watchdog));
        }

        using (new Holding(second, "two"))
        {
            Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Single(await Check(watchdog));
        }

        Assert.Equal(2, calls);
        Assert.Equal(2, watchdog.CallbackFailures);
    }

    [Fact]
    public async Task CallbackThatUsesTheStuckGuardAndSnapshots_DoesNotDeadlock()
    {
        EnableWithManualClock();
        var guard = new Guarded<int>(0, name: "wd reenter");
        int snapshotSaw = 0;
        bool tryGotIt = true;
        using var watchdog = new LockWatchdog(
            Threshold,
            info =>
            {
                if (info.Name != "wd reenter")
                {
                    return;
                }

                snapshotSaw = LockDiagnostics.Snapshot(Threshold).Count(i => i.Name == info.Name);
                tryGotIt = guard.TryWrite(_ => { }, TimeSpan.Zero);
                guard.Update(v => v + 100); // waits for the stuck holder, like any caller
            },
            Timeout.InfiniteTimeSpan);
        Task<IReadOnlyList<LockInfo>> check;
        using (new Holding(guard, "holder"))
        {
            Clock.Advance(TimeSpan.FromSeconds(2));
            check = watchdog.CheckNowAsync();
            Poll.Until(() => guard.GetLockInfo().WaiterCount == 1, "the callback waits for the guard");
            var other = new Guarded<int>(0, name: "wd other");
            using (new Holding(other, "other holder"))
            {
                Clock.Advance(TimeSpan.FromSeconds(2));
                Assert.Equal("wd other", Assert.Single(await Check(watchdog)).Name); // the watchdog is not blocked
            }
        }

        await Poll.Within(check, "the callback, once the holder released");
        Assert.Equal(1, snapshotSaw);
        Assert.False(tryGotIt);
        Assert.Equal(100, guard.Read(v => v));
        Assert.Equal(0, watchdog.CallbackFailures);
    }

    [Fact]
    public async Task CallbackThatNeverReturns_DelaysNoOtherReport()
    {
        EnableWithManualClock();
        using var stuck = new ManualResetEventSlim();
        var delivered = new ConcurrentQueue<string>();
        using var watchdog = new LockWatchdog(
            Threshold,
            info =>
            {
                delivered.Enqueue(info.Name);
                if (info.Name == "wd never 1")
                {
                    Assert.True(stuck.Wait(TestLimits.Wait)); // "never" returns, within the test's bound
                }
            },
            Timeout.InfiniteTimeSpan);
        var first = new Guarded<int>(0, name: "wd never 1");
        var second = new Guarded<int>(0, name: "wd never 2");
        Task<IReadOnlyList<LockInfo>> stuckCheck;
        using (new Holding(first, "one"))
        {
            Clock.Advance(TimeSpan.FromSeconds(2));
            stuckCheck = watchdog.CheckNowAsync();
            Poll.Until(() => delivered.Contains("wd never 1"), "the first callback started");
        }

        using (new Holding(second, "two"))
        {
            Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal("wd never 2", Assert.Single(await Check(watchdog)).Name);
        }

        Assert.False(stuckCheck.IsCompleted);
        stuck.Set();
        await Poll.Within(stuckCheck, "the first callback, once let go");
    }

    [Fact]
    public async Task AsyncCallback_IsAwaited_AndItsFailureCounted()
    {
        EnableWithManualClock();
        var finished = new ConcurrentQueue<string>();
        using var watchdog = new LockWatchdog(
            Threshold,
            async info =>
            {
                await Task.Yield();
                finished.Enqueue(info.Name);
                throw new InvalidOperationException("async callback bug");
            },
            Timeout.InfiniteTimeSpan);
        var guard = new Guarded<int>(0, name: "wd async");
        using (new Holding(guard, "holder"))
        {
            Clock.Advance(TimeSpan.FromSeconds(2));
            Assert.Single(await Check(watchdog));
        }

        Assert.Contains("wd async", finished);
        Assert.Equal(1, watchdog.CallbackFailures);
    }

    [Fact]
    public void AsyncLambdaGivenAsAnAction_IsRefused()
    {
        EnableWithManualClock();
        Action<LockInfo> asyncVoid = async _ => await Task.Yield();
        ArgumentException refused = Assert.Throws<ArgumentException>(() => new LockWatchdog(Threshold, asyncVoid, Timeout.InfiniteTimeSpan));
        Assert.Equal("onHang", refused.ParamName);
    }

    [Fact]
    public void BadArguments_AndDiagnosticsOff_AreRefused()
    {
        Assert.Throws<InvalidOperationException>(() => new LockWatchdog(Threshold, _ => { }));
        EnableWithManualClock();
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => new LockWatchdog(TimeSpan.Zero, _ => { })).ParamName);
        Assert.Equal("checkInterval", Assert.Throws<ArgumentOutOfRangeException>(() => new LockWatchdog(Threshold, _ => { }, TimeSpan.FromSeconds(-2))).ParamName);
        Assert.Equal("onHang", Assert.Throws<ArgumentNullException>(() => new LockWatchdog(Threshold, (Action<LockInfo>)null!)).ParamName);
    }

    [Fact]
    public async Task Thread_ChecksOnItsOwn_AndStopsWhenDisposed()
    {
        LockDiagnostics.Enable(); // the system clock: the thread's own checks
        var reported = new TaskCompletionSource<LockInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watchdog = new LockWatchdog(
            TimeSpan.FromMilliseconds(50),
            info =>
            {
                if (info.Name == "wd thread")
                {
                    reported.TrySetResult(info);
                }
            },
            TimeSpan.FromMilliseconds(10));
        var guard = new Guarded<int>(0, name: "wd thread");
        using (new Holding(guard, "holder"))
        {
            LockInfo info = await Poll.Within(reported.Task, "a report from the watchdog's thread");
            Assert.True(info.LongestHold > TimeSpan.FromMilliseconds(50));
        }

        Assert.True(watchdog.IsRunning);
        watchdog.Dispose();
        Assert.False(watchdog.IsRunning);
    }
}
