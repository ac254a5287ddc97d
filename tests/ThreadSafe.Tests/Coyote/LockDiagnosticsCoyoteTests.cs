using Microsoft.Coyote.Specifications;
using ThreadSafe.Diagnostics;
using ThreadSafe.Tests.Diagnostics;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>
/// Holder and waiter bookkeeping under every explored schedule: an observer flow reading the guard's information never
/// sees two holders of an exclusive guard, two writers, or a writer beside readers; a flow inside its delegate always
/// finds itself listed; and when all flows are done the guard is free with no holder and no waiter left.
/// </summary>
[Collection(LockOrderCollection.Name)]
public sealed class LockDiagnosticsCoyoteTests(ITestOutputHelper output) : LockDiagnosticsTestBase
{
    private const uint Iterations = 300;

    private static void CheckExclusive(LockInfo info) =>
        Specification.Assert(info.Holders.Count <= 1, $"Two holders of an exclusive guard: {info}");

    private static void CheckReadWrite(LockInfo info)
    {
        int writers = info.Holders.Count(h => h.Access == LockAccess.Write);
        int readers = info.Holders.Count(h => h.Access == LockAccess.Read);
        Specification.Assert(writers <= 1, $"Two writers: {info}");
        Specification.Assert(writers == 0 || readers == 0, $"A writer beside readers: {info}");
    }

    private static void CheckDone(LockInfo info) =>
        Specification.Assert(!info.IsHeld && info.Holders.Count == 0 && info.WaiterCount == 0 && info.Waiters.Count == 0, $"Left behind: {info}");

    private static Task Observe(Func<LockInfo> read, Action<LockInfo> check) => Task.Run(() =>
    {
        for (int i = 0; i < 4; i++)
        {
            check(read());
            Thread.Yield();
        }
    });

    [Fact]
    public void Guarded_ContendedWrites_BookkeepingConsistentUnderEverySchedule()
    {
        LockDiagnostics.Enable();
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guard = new Guarded<int>(0, name: "coyote guarded");
                void Work() => guard.Write(v =>
                {
                    Specification.Assert(guard.GetLockInfo().Holders.Count == 1, "The holder is not listed inside its delegate.");
                    Thread.Yield();
                });
                Task[] tasks = [Task.Run(Work), Task.Run(Work), Task.Run(() => guard.TryWrite(_ => { }, TimeSpan.Zero)), Observe(guard.GetLockInfo, CheckExclusive)];
                await Task.WhenAll(tasks);
                CheckDone(guard.GetLockInfo());
            },
            output,
            Iterations);
    }

    [Fact]
    public void ReadWriteGuarded_ReadersAndWriters_NeverTwoWritersOrAWriterBesideReaders()
    {
        LockDiagnostics.Enable();
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guard = new ReadWriteGuarded<int>(0, name: "coyote rw");
                void Read() => guard.Read(v =>
                {
                    Specification.Assert(guard.GetLockInfo().Holders.Any(h => h.Access == LockAccess.Read), "A reader is not listed inside its delegate.");
                    Thread.Yield();
                    return v;
                });
                void Write() => guard.Write(v =>
                {
                    Specification.Assert(guard.GetLockInfo().Holders.Count == 1, "The writer is not listed alone inside its delegate.");
                    Thread.Yield();
                });
                Task[] tasks = [Task.Run(Read), Task.Run(Read), Task.Run(Write), Task.Run(Write), Observe(guard.GetLockInfo, CheckReadWrite)];
                await Task.WhenAll(tasks);
                CheckDone(guard.GetLockInfo());
            },
            output,
            Iterations);
    }

    [Fact]
    public void AsyncGuarded_HandOffsAndCancellation_BookkeepingConsistentUnderEverySchedule()
    {
        LockDiagnostics.Enable();
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guard = new AsyncGuarded<int>(0, name: "coyote async");
                using var cancel = new CancellationTokenSource();
                Task asyncHolder = Task.Run(async () => await guard.WriteAsync(async (_, _) =>
                {
                    Specification.Assert(guard.GetLockInfo().Holders.Count == 1, "The async holder is not listed inside its delegate.");
                    await Task.Yield();
                }));
                Task syncWriter = Task.Run(async () => await guard.WriteAsync(_ => Specification.Assert(guard.GetLockInfo().Holders.Count == 1, "The holder is not listed.")));
                Task cancelled = Task.Run(async () =>
                {
                    try
                    {
                        await guard.WriteAsync(_ => { }, cancel.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // Cancelled while queued: it must leave the waiters.
                    }
                });
                Task canceller = Task.Run(cancel.Cancel);
                Task observer = Observe(guard.GetLockInfo, CheckExclusive);
                foreach (Task task in new[] { asyncHolder, syncWriter, cancelled, canceller, observer })
                {
                    await task;
                }

                CheckDone(guard.GetLockInfo());
            },
            output,
            Iterations);
    }
}
