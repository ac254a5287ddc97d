using System.Collections.Immutable;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace ThreadSafe.Testing.Tests;

/// <summary>
/// ThreadSafe's own <see cref="AsyncGuarded{T}"/>, checked for linearizability in both modes. ThreadSafe.Testing runs
/// synchronous operations, so each operation starts the asynchronous call and blocks its thread until the call ends:
/// an operation's interval runs from the call to the completion of its task. In stress mode the wait has a timeout, so
/// a lost wake-up fails instead of hanging. Under Coyote the wait has none (Coyote does not control timers): the
/// rewritten <c>GetAwaiter().GetResult()</c> is a blocking wait Coyote schedules around, and a task that never
/// completes is reported as a deadlock.
/// </summary>
public sealed class AsyncGuardedLinearizabilityTests(ITestOutputHelper output)
{
    private static readonly LinearizabilityOptions Options = new() { Scenarios = 10, RunsPerScenario = 10, IterationsPerScenario = 30 };

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private static LinearizabilitySpec<AsyncGuarded<List<int>>, ImmutableList<int>> ListSpec(bool systematic)
    {
        T Wait<T>(Task<T> task) => systematic ? task.GetAwaiter().GetResult() : task.WaitAsync(WaitLimit).GetAwaiter().GetResult();
        void WaitDone(Task task)
        {
            if (systematic)
            {
                task.GetAwaiter().GetResult();
            }
            else
            {
                task.WaitAsync(WaitLimit).GetAwaiter().GetResult();
            }
        }

        return new LinearizabilitySpec<AsyncGuarded<List<int>>, ImmutableList<int>>(() => new AsyncGuarded<List<int>>([], copy: l => [.. l]), () => [], SequenceComparer.Instance)
            .Command("Add", Gen.Choose(1, 3), (g, x) => WaitDone(g.WriteAsync(x, static (l, v) => l.Add(v)).AsTask()), (m, x) => m.Add(x))
            .Operation("Remove", Gen.Choose(1, 3), (g, x) => Wait(g.WriteAsync(x, static (l, v) => l.Remove(v)).AsTask()), (m, x) => (m.Contains(x), m.Remove(x)))
            .Operation("Count", g => Wait(g.ReadAsync(static l => l.Count).AsTask()), m => (m.Count, m))
            .Operation("Snapshot", g => Wait(g.SnapshotAsync().AsTask()), m => ((List<int>)[.. m], m))

            // An asynchronous delegate keeps the lock across its await: nobody may write between its read and its write.
            .Operation("AddAfterYield", Gen.Choose(1, 3), (g, x) => Wait(g.WriteAsync((l, _) => AddAfterYieldAsync(l, x)).AsTask()), (m, x) => (m.Count, m.Add(x)))
            .Operation("CountTwiceAcrossYield", g => Wait(g.ReadAsync(static (l, _) => CountTwiceAsync(l)).AsTask()), m => (m.Count, m))

            // A token cancelled before the call: the call ends canceled and its delegate never runs.
            .Operation("AddCanceled", Gen.Choose(1, 3), (g, x) => AddCanceled(g, x, WaitDone), (m, x) => ("canceled", m));
    }

    // Returns the count before adding; the yield gives other callers every chance to run inside the lock if it leaked.
    private static async ValueTask<int> AddAfterYieldAsync(List<int> list, int x)
    {
        int before = list.Count;
        await Task.Yield();
        list.Add(x);
        return before;
    }

    // The count, or -1 if it changed across the await (a write got in while the lock was held).
    private static async ValueTask<int> CountTwiceAsync(List<int> list)
    {
        int first = list.Count;
        await Task.Yield();
        return list.Count == first ? first : -1;
    }

    private static string AddCanceled(AsyncGuarded<List<int>> guard, int x, Action<Task> waitDone)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        try
        {
            waitDone(guard.WriteAsync(x, static (l, v) => l.Add(v), cts.Token).AsTask());
            return "ran";
        }
        catch (OperationCanceledException)
        {
            return "canceled";
        }
    }

    /// <summary>Property: sync and async-delegate writes, reads, snapshots and pre-canceled calls are explained by some sequential order respecting real time (real threads).</summary>
    [Fact]
    public void AsyncGuardedList_Stress_IsLinearizable() => ListSpec(systematic: false).Check(Options with { Log = output.WriteLine });

    /// <summary>Property: sync and async-delegate writes, reads, snapshots and pre-canceled calls are explained by some sequential order respecting real time (Coyote schedules).</summary>
    [Fact]
    public void AsyncGuardedList_Systematic_IsLinearizable() => ListSpec(systematic: true).CheckSystematic(Options with { Log = output.WriteLine });

    /// <summary>The property can fail: an add-if-absent made of a ReadAsync then a WriteAsync is two atomic steps, and systematic mode shows it.</summary>
    [Fact]
    public void AsyncGuardedList_AddIfAbsentInTwoCalls_IsCaughtBySystematicMode()
    {
        LinearizabilitySpec<AsyncGuarded<List<int>>, ImmutableList<int>> misused = ListSpec(systematic: true)
            .Operation(
                "AddIfAbsent",
                Gen.Choose(1, 3),
                (g, x) => !g.ReadAsync(l => l.Contains(x)).AsTask().GetAwaiter().GetResult()
                    && g.WriteAsync(l => { l.Add(x); return true; }).AsTask().GetAwaiter().GetResult(),
                (m, x) => m.Contains(x) ? (false, m) : (true, m.Add(x)));
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => misused.CheckScenarioSystematic(
                new Scenario([Invocation.Of("AddIfAbsent", 1)], [Invocation.Of("AddIfAbsent", 1)]),
                Options with { IterationsPerScenario = 200 }));
        output.WriteLine(ex.Message);
        Assert.Contains("AddIfAbsent(1) -> true | AddIfAbsent(1) -> true", ex.Message, StringComparison.Ordinal);
    }
}
