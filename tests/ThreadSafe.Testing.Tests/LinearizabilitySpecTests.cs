using FsCheck;
using FsCheck.Fluent;
using ThreadSafe.Testing.Tests.Zoo;

namespace ThreadSafe.Testing.Tests;

public sealed class LinearizabilitySpecTests
{
    private static LinearizabilitySpec<ICounter, int> CounterSpec(Func<ICounter> create) =>
        new LinearizabilitySpec<ICounter, int>(create, () => 0)
            .Operation("Inc", c => c.Increment(), m => (m + 1, m + 1))
            .Operation("Get", c => c.Value, m => (m, m));

    [Fact]
    public void CheckScenarioSystematic_LostUpdate_ReportsTheTableSeedAndTrace()
    {
        var scenario = new Scenario([Invocation.Of("Inc")], [Invocation.Of("Inc")]);
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => CounterSpec(() => new LostUpdateCounter()).CheckScenarioSystematic(scenario, new LinearizabilityOptions { IterationsPerScenario = 200 }));
        string expected = string.Join(
            Environment.NewLine,
            "| Thread 0   | Thread 1   |",
            "|------------|------------|",
            "| Inc() -> 1 | Inc() -> 1 |");
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Replay: new LinearizabilityOptions { Seed = 20261124 }", ex.Message, StringComparison.Ordinal);
        Assert.Equal(LinearizabilityOptions.DefaultSeed, ex.Seed);
        Assert.Contains("\"Seed\": 20261124", ex.CoyoteTrace, StringComparison.Ordinal);
        Assert.Same(scenario, ex.Scenario);
    }

    [Fact]
    public void CheckSystematic_Shrinks_ToTwoIncrements()
    {
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => CounterSpec(() => new LostUpdateCounter()).CheckSystematic(new LinearizabilityOptions { Scenarios = 5, IterationsPerScenario = 50 }));
        Assert.NotNull(ex.Scenario);
        Assert.Equal("[] | Inc() || Inc() | []", ex.Scenario.ToString());
        Assert.Contains("Shrunk from", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckSystematic_ObjectFromTestTooling_IsNotRequiredToBeRewritten()
    {
        // xunit.core.dll is a test framework: never rewritten by the package's targets, and not required to be.
        var spec = new LinearizabilitySpec<FactAttribute, int>(() => new FactAttribute(), () => 0)
            .Operation("Skip", f => f.Skip, m => ((string?)null, m));
        spec.CheckSystematic(new LinearizabilityOptions { Scenarios = 2, IterationsPerScenario = 5 });
    }

    [Fact]
    public void CheckScenario_UnknownOperation_ThrowsNamingTheKnownOnes()
    {
        ArgumentException ex = Assert.Throws<ArgumentException>(
            "scenario",
            () => CounterSpec(() => new AtomicCounter()).CheckScenario(new Scenario([Invocation.Of("Dec")])));
        Assert.Contains("known: Inc, Get", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckScenario_ArgumentToOperationWithout_Throws() =>
        Assert.Throws<ArgumentException>(
            "scenario",
            () => CounterSpec(() => new AtomicCounter()).CheckScenario(new Scenario([Invocation.Of("Inc", 1)])));

    [Fact]
    public void Check_NoOperations_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new LinearizabilitySpec<AtomicCounter, int>(() => new(), () => 0).Check());

    [Fact]
    public void Operation_DuplicateName_Throws() =>
        Assert.Throws<ArgumentException>("name", () => CounterSpec(() => new AtomicCounter()).Operation("Inc", c => 0, m => (0, m)));

    [Fact]
    public void Check_BadOptions_Throw()
    {
        LinearizabilitySpec<ICounter, int> spec = CounterSpec(() => new AtomicCounter());
        Assert.Throws<ArgumentOutOfRangeException>("options", () => spec.Check(new LinearizabilityOptions { MinThreads = 3, MaxThreads = 2 }));
    }

    [Fact]
    public void Check_BlockingOperations_SkipsScenariosTheModelCannotComplete()
    {
        // One call per thread and no prefix: a scenario with more takes than puts would block forever, so it
        // must be skipped; the others always complete (a put never blocks).
        var lines = new List<string>();
        var options = new LinearizabilityOptions
        {
            Scenarios = 20,
            RunsPerScenario = 2,
            MinThreads = 2,
            MaxThreads = 4,
            MaxOperationsPerThread = 1,
            MaxPrefix = 0,
            MaxSuffix = 0,
            Timeout = TimeSpan.FromSeconds(20),
            Log = lines.Add,
        };
        var buffer = (ZooCase<BlockingBuffer, System.Collections.Immutable.ImmutableList<int>>)ZooCases.Get("LostWakeup");
        buffer.Spec(broken: false).Check(options);
        int run = int.Parse(Assert.Single(lines).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(run, 1, 19);
    }

    [Fact]
    public void Check_ResultEquality_IsUsedForItsType()
    {
        // A comparer that calls every pair equal makes a wrong model pass: proof it is consulted.
        var spec = new LinearizabilitySpec<AtomicCounter, int>(() => new(), () => 0)
            .Operation("Inc", c => c.Increment(), m => (-1, m + 1))
            .ResultEquality(EqualityComparer<int>.Create((_, _) => true, _ => 0));
        spec.CheckScenario(new Scenario([Invocation.Of("Inc")], [Invocation.Of("Inc")]), new LinearizabilityOptions { RunsPerScenario = 2 });
    }

    [FsCheck.Xunit.Property(MaxTest = 10)]
    public Property AtomicCounter_IsLinearizable_AsAnFsCheckProperty() =>
        CounterSpec(() => new AtomicCounter()).Property(new LinearizabilityOptions { RunsPerScenario = 5 });

    [Fact]
    public void Property_BrokenStructure_FailsWithTheTable()
    {
        // The leaked waiter shows up even without a race, so FsCheck finds it on real threads every time.
        var spec = new LinearizabilitySpec<AsyncSemaphore, int>(() => new AsyncSemaphore(removeCancelledWaiter: false), () => 0)
            .Operation("WaitThenCancel", s => s.WaitThenCancel(), m => m > 0 ? ("acquired", m - 1) : ("cancelled", m))
            .Command("Release", s => s.Release(), m => m + 1);
        Exception ex = Assert.ThrowsAny<Exception>(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), spec.Property(new LinearizabilityOptions { RunsPerScenario = 2 })));
        Assert.Contains("| Thread 0", ex.Message, StringComparison.Ordinal);
    }
}
