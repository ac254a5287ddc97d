using System.Collections.Immutable;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace ThreadSafe.Testing.Tests;

/// <summary>ThreadSafe's own <see cref="Guarded{T}"/>, checked for linearizability in both modes.</summary>
public sealed class GuardedLinearizabilityTests(ITestOutputHelper output)
{
    private static readonly LinearizabilityOptions Options = new() { Scenarios = 10, RunsPerScenario = 10, IterationsPerScenario = 50 };

    // A list guarded by Guarded<T>: every operation is one delegate, so one atomic step.
    private static LinearizabilitySpec<Guarded<List<int>>, ImmutableList<int>> ListSpec(bool compoundAddIfAbsent) =>
        new LinearizabilitySpec<Guarded<List<int>>, ImmutableList<int>>(() => new Guarded<List<int>>([], copy: l => [.. l]), () => [], SequenceComparer.Instance)
            .Command("Add", Gen.Choose(1, 3), (g, x) => g.Write(x, static (l, v) => l.Add(v)), (m, x) => m.Add(x))
            .Operation("Remove", Gen.Choose(1, 3), (g, x) => g.Write(x, static (l, v) => l.Remove(v)), (m, x) => (m.Contains(x), m.Remove(x)))
            .Operation("Count", g => g.Read(static l => l.Count), m => (m.Count, m))
            .Operation("Snapshot", g => g.Snapshot(), m => ((List<int>)[.. m], m))
            .Operation(
                "AddIfAbsent",
                Gen.Choose(1, 3),
                (g, x) => compoundAddIfAbsent
                    ? !g.Read(l => l.Contains(x)) && g.Write(l => { l.Add(x); return true; })   // two steps: a race
                    : g.Write(l => AddIfAbsent(l, x)),                                          // one step
                (m, x) => m.Contains(x) ? (false, m) : (true, m.Add(x)));

    private static bool AddIfAbsent(List<int> list, int x)
    {
        if (list.Contains(x))
        {
            return false;
        }

        list.Add(x);
        return true;
    }

    private static LinearizabilitySpec<Guarded<int[]>, int> CounterSpec() =>
        new LinearizabilitySpec<Guarded<int[]>, int>(() => new Guarded<int[]>([0]), () => 0)
            .Operation("Add", Gen.Choose(1, 2), (g, x) => g.Write(x, static (c, v) => c[0] += v), (m, x) => (m + x, m + x))
            .Operation("Get", g => g.Read(static c => c[0]), m => (m, m))
            .Operation("TryAdd", Gen.Choose(1, 2), (g, x) => g.TryWrite(c => c[0] += x, TimeSpan.FromSeconds(30)), (m, x) => (true, m + x));

    [Fact]
    public void GuardedCounter_Stress_IsLinearizable() => CounterSpec().Check(Options with { Log = output.WriteLine });

    [Fact]
    public void GuardedCounter_Systematic_IsLinearizable() => CounterSpec().CheckSystematic(Options with { Log = output.WriteLine });

    [Fact]
    public void GuardedList_Stress_IsLinearizable() => ListSpec(compoundAddIfAbsent: false).Check(Options with { Log = output.WriteLine });

    [Fact]
    public void GuardedList_Systematic_IsLinearizable() => ListSpec(compoundAddIfAbsent: false).CheckSystematic(Options with { Log = output.WriteLine });

    [Fact]
    public void GuardedList_CompoundOperationOfTwoDelegates_IsCaughtBySystematicMode()
    {
        // Guarded<T> makes each delegate atomic, not a sequence of two: check-then-act across two calls races.
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => ListSpec(compoundAddIfAbsent: true).CheckScenarioSystematic(
                new Scenario([Invocation.Of("AddIfAbsent", 1)], [Invocation.Of("AddIfAbsent", 1)]),
                Options with { IterationsPerScenario = 200 }));
        output.WriteLine(ex.Message);
        Assert.Contains("AddIfAbsent(1) -> true | AddIfAbsent(1) -> true", ex.Message, StringComparison.Ordinal);
    }
}
