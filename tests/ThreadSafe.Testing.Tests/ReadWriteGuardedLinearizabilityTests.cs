using System.Collections.Immutable;
using System.Globalization;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace ThreadSafe.Testing.Tests;

/// <summary>ThreadSafe's own <see cref="ReadWriteGuarded{T}"/>, checked for linearizability in both modes.</summary>
public sealed class ReadWriteGuardedLinearizabilityTests(ITestOutputHelper output)
{
    private static readonly LinearizabilityOptions Options = new() { Scenarios = 10, RunsPerScenario = 10, IterationsPerScenario = 30 };

    /// <summary>The outcome of a zero-timeout TryRead: it may give up while a writer holds or awaits the lock.</summary>
    private readonly record struct Attempt(bool Ran, int Value)
    {
        public override string ToString() => Ran ? Value.ToString(CultureInfo.InvariantCulture) : "gave up";
    }

    /// <summary>
    /// A zero-timeout TryRead that gave up explains nothing and contradicts nothing (it does not touch the value),
    /// so it matches whatever the model expects; one that ran must return the model's value.
    /// </summary>
    private sealed class AttemptEquality : IEqualityComparer<Attempt>
    {
        public static readonly AttemptEquality Instance = new();

        public bool Equals(Attempt expected, Attempt actual) => !actual.Ran || expected == actual;

        public int GetHashCode(Attempt obj) => obj.GetHashCode();
    }

    // An int counter: Update returns the new value (a value type, so it cannot change after the call returned).
    private static LinearizabilitySpec<ReadWriteGuarded<int>, int> CounterSpec() =>
        new LinearizabilitySpec<ReadWriteGuarded<int>, int>(() => new ReadWriteGuarded<int>(0), () => 0)
            .Operation("Add", Gen.Choose(1, 2), (g, x) => g.Update(x, static (v, d) => v + d), (m, x) => (m + x, m + x))
            .Operation("Get", g => g.Read(static v => v), m => (m, m))
            .Operation("GetExclusive", g => g.Write(static v => v), m => (m, m))
            .Operation(
                "TryGetNow",
                g => g.TryRead(static v => v, TimeSpan.Zero, out int v) ? new Attempt(true, v) : new Attempt(false, 0),
                m => (new Attempt(true, m), m))
            .ResultEquality(AttemptEquality.Instance);

    // A list: readers share the lock, so read-only delegates may overlap each other but never a write.
    private static LinearizabilitySpec<ReadWriteGuarded<List<int>>, ImmutableList<int>> ListSpec() =>
        new LinearizabilitySpec<ReadWriteGuarded<List<int>>, ImmutableList<int>>(() => new ReadWriteGuarded<List<int>>([], copy: l => [.. l]), () => [], SequenceComparer.Instance)
            .Command("Add", Gen.Choose(1, 3), (g, x) => g.Write(x, static (l, v) => l.Add(v)), (m, x) => m.Add(x))
            .Operation("Remove", Gen.Choose(1, 3), (g, x) => g.Write(x, static (l, v) => l.Remove(v)), (m, x) => (m.Contains(x), m.Remove(x)))
            .Operation("Contains", Gen.Choose(1, 3), (g, x) => g.Read(x, static (l, v) => l.Contains(v)), (m, x) => (m.Contains(x), m))
            .Operation("Count", g => g.Read(static l => l.Count), m => (m.Count, m))
            .Operation("Snapshot", g => g.Snapshot(), m => ((List<int>)[.. m], m))

            // Update replaces the list; its returned reference is guarded state, so only its effect is checked.
            .Command("RemoveAll", Gen.Choose(1, 3), (g, x) => g.Update(x, static (l, v) => l.FindAll(e => e != v)), (m, x) => m.RemoveAll(e => e == x))

            // A timeout no run comes near: under the model the write always happens.
            .Operation("TryAdd", Gen.Choose(1, 3), (g, x) => g.TryWrite(l => l.Add(x), TimeSpan.FromSeconds(30)), (m, x) => (true, m.Add(x)))
            .Operation(
                "TryCountNow",
                g => g.TryRead(static l => l.Count, TimeSpan.Zero, out int n) ? new Attempt(true, n) : new Attempt(false, 0),
                m => (new Attempt(true, m.Count), m))
            .ResultEquality(AttemptEquality.Instance);

    /// <summary>Property: Update/Read/Write-as-read/TryRead(0) on a counter are explained by some sequential order respecting real time (real threads).</summary>
    [Fact]
    public void ReadWriteGuardedCounter_Stress_IsLinearizable() => CounterSpec().Check(Options with { Log = output.WriteLine });

    /// <summary>Property: Update/Read/Write-as-read/TryRead(0) on a counter are explained by some sequential order respecting real time (Coyote schedules).</summary>
    [Fact]
    public void ReadWriteGuardedCounter_Systematic_IsLinearizable() => CounterSpec().CheckSystematic(Options with { Log = output.WriteLine });

    /// <summary>Property: writes, updates, tries and shared reads of a list are explained by some sequential order respecting real time (real threads).</summary>
    [Fact]
    public void ReadWriteGuardedList_Stress_IsLinearizable() => ListSpec().Check(Options with { Log = output.WriteLine });

    /// <summary>Property: writes, updates, tries and shared reads of a list are explained by some sequential order respecting real time (Coyote schedules).</summary>
    [Fact]
    public void ReadWriteGuardedList_Systematic_IsLinearizable() => ListSpec().CheckSystematic(Options with { Log = output.WriteLine });

    /// <summary>The property can fail: a write smuggled into a read delegate races with the other readers, and systematic mode shows it.</summary>
    [Fact]
    public void ReadWriteGuardedList_WriteInsideReadDelegate_IsCaughtBySystematicMode()
    {
        LinearizabilitySpec<ReadWriteGuarded<List<int>>, ImmutableList<int>> misused = ListSpec()
            .Operation("AddInRead", Gen.Choose(1, 3), (g, x) => g.Read(l => AddIfAbsent(l, x, yield: true)), (m, x) => m.Contains(x) ? (false, m) : (true, m.Add(x)));
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => misused.CheckScenarioSystematic(
                new Scenario([Invocation.Of("AddInRead", 1)], [Invocation.Of("AddInRead", 1)]),
                Options with { IterationsPerScenario = 200 }));
        output.WriteLine(ex.Message);
        Assert.Contains("AddInRead(1) -> true | AddInRead(1) -> true", ex.Message, StringComparison.Ordinal);
    }

    // With yield, gives the scheduler a point between the check and the act, as a real thread switch would.
    private static bool AddIfAbsent(List<int> list, int x, bool yield)
    {
        if (list.Contains(x))
        {
            return false;
        }

        if (yield)
        {
            Thread.Yield();
        }

        list.Add(x);
        return true;
    }
}
