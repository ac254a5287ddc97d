using ThreadSafe.Testing.Tests.Zoo;

namespace ThreadSafe.Testing.Tests;

/// <summary>How many scenarios the checks generate: exactly <see cref="LinearizabilityOptions.Scenarios"/>.</summary>
public sealed class LinearizabilitySpecGenerationTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(25)]
    public void Check_ScenariosOption_RunsExactlyThatManyScenarios(int scenarios)
    {
        // Every scenario of a counter is feasible, and each stress run creates one object.
        int created = 0;
        var lines = new List<string>();
        new LinearizabilitySpec<ICounter, int>(() => { Interlocked.Increment(ref created); return new AtomicCounter(); }, () => 0)
            .Operation("Inc", c => c.Increment(), m => (m + 1, m + 1))
            .Operation("Get", c => c.Value, m => (m, m))
            .Check(new LinearizabilityOptions { Scenarios = scenarios, RunsPerScenario = 1, Jitter = false, Log = lines.Add });

        Assert.Equal(scenarios, created);
        Assert.Contains(lines, l => l.StartsWith($"Stress: {scenarios} scenarios,", StringComparison.Ordinal));
    }

    [Fact]
    public void CheckScenario_MoreThanSixtyFourCalls_IsCheckedInBothModes()
    {
        // The checker has no limit on calls per history: 65 calls are checked, a lost update among them is caught.
        var scenario = new Scenario(Enumerable.Repeat(Invocation.Of("Inc"), 33), Enumerable.Repeat(Invocation.Of("Inc"), 32));
        LinearizabilitySpec<ICounter, int> Spec(Func<ICounter> create) => new LinearizabilitySpec<ICounter, int>(create, () => 0)
            .Operation("Inc", c => c.Increment(), m => (m + 1, m + 1));
        Spec(() => new AtomicCounter()).CheckScenario(scenario, new LinearizabilityOptions { RunsPerScenario = 2 });
        Spec(() => new AtomicCounter()).CheckScenarioSystematic(scenario, new LinearizabilityOptions { IterationsPerScenario = 5 });
        Assert.Throws<ConcurrencyTestException>(() =>
            Spec(() => new LostUpdateCounter()).CheckScenarioSystematic(scenario, new LinearizabilityOptions { IterationsPerScenario = 200, MaxShrinkAttempts = 0 }));
    }
}
