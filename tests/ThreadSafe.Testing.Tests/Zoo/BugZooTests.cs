using Xunit.Abstractions;

namespace ThreadSafe.Testing.Tests.Zoo;

/// <summary>
/// Proves the tool: systematic mode must catch every broken structure, and both modes must pass every
/// correct twin. Stress mode's result on the broken ones is measured and printed (real threads find
/// only some of these races in a short run). Fixed seeds and counts keep the verdicts and time repeatable.
/// </summary>
public sealed class BugZooTests(ITestOutputHelper output)
{
    // Systematic: 10 scenarios x 50 schedules (fixed scenarios: 200 schedules).
    private static readonly LinearizabilityOptions Systematic = new() { Scenarios = 10, IterationsPerScenario = 50, MaxShrinkAttempts = 40 };

    // Stress: 20 scenarios x 10 runs on real threads (fixed scenarios: 200 runs); x 50 with THREADSAFE_STRESS=1.
    private static readonly LinearizabilityOptions Stress = new()
    {
        Scenarios = 20,
        RunsPerScenario = Environment.GetEnvironmentVariable("THREADSAFE_STRESS") == "1" ? 500 : 10,
        MaxShrinkAttempts = 40,
    };

    [Theory]
    [MemberData(nameof(ZooCases.Names), MemberType = typeof(ZooCases))]
    public void Broken_SystematicMode_FindsTheBug(string name)
    {
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => ZooCases.Get(name).CheckSystematic(broken: true, ForCase(name, Systematic)));
        output.WriteLine($"{name}: systematic mode caught it after {ex.Attempts} schedule(s).");
        output.WriteLine(ex.Message);
        Assert.NotNull(ex.Scenario);
        Assert.NotNull(ex.CoyoteTrace);
        Assert.Contains("Thread 0", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ZooCases.Names), MemberType = typeof(ZooCases))]
    public void Broken_StressMode_ReportsAReadableFailureWhenItCatchesTheBug(string name)
    {
        try
        {
            ZooCases.Get(name).CheckStress(broken: true, ForCase(name, Stress));
            output.WriteLine($"{name}: stress mode did not catch it in {Stress.Scenarios * Stress.RunsPerScenario} runs.");
        }
        catch (ConcurrencyTestException ex)
        {
            output.WriteLine($"{name}: stress mode caught it after {ex.Attempts} run(s).");
            output.WriteLine(ex.Message);
            Assert.NotNull(ex.Scenario);
            Assert.Null(ex.CoyoteTrace);
            Assert.Contains("| Thread 0", ex.Message, StringComparison.Ordinal);
            Assert.Contains($"Seed = {Stress.Seed}", ex.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(ZooCases.Names), MemberType = typeof(ZooCases))]
    public void Correct_SystematicMode_Passes(string name) =>
        ZooCases.Get(name).CheckSystematic(broken: false, ForCase(name, Systematic) with { Log = output.WriteLine });

    [Theory]
    [MemberData(nameof(ZooCases.Names), MemberType = typeof(ZooCases))]
    public void Correct_StressMode_Passes(string name) =>
        ZooCases.Get(name).CheckStress(broken: false, ForCase(name, Stress) with { Log = output.WriteLine });

    // A fixed scenario gets the whole budget of its mode.
    private static LinearizabilityOptions ForCase(string name, LinearizabilityOptions options) =>
        name == "LostWakeup"
            ? options with { RunsPerScenario = options.Scenarios * options.RunsPerScenario, IterationsPerScenario = options.Scenarios * options.IterationsPerScenario }
            : options;
}
