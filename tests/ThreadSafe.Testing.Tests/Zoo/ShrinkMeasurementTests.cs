using System.Globalization;
using Xunit.Abstractions;

namespace ThreadSafe.Testing.Tests.Zoo;

/// <summary>
/// Measures how often stress-mode shrinking reaches the minimal scenario (the size systematic mode shrinks to),
/// with one try per shrink candidate and with the default <see cref="LinearizabilityOptions.ShrinkTries"/>.
/// A measurement, slow and timing-dependent: it runs only with THREADSAFE_MEASURE_SHRINK=1 and prints a table
/// (docs/testing.md quotes it). It fails only if a stress report is smaller than the minimal scenario.
/// </summary>
public sealed class ShrinkMeasurementTests(ITestOutputHelper output)
{
    private const int Seeds = 10;

    private static readonly LinearizabilityOptions Stress = new() { Scenarios = 20, RunsPerScenario = 10, MaxShrinkAttempts = 40 };

    private static readonly LinearizabilityOptions Systematic = new() { Scenarios = 10, IterationsPerScenario = 50, MaxShrinkAttempts = 40 };

    [Theory]
    [MemberData(nameof(ZooCases.Names), MemberType = typeof(ZooCases))]
    public void StressShrinking_ReachesTheMinimalScenario_MoreOftenWithRetries(string name)
    {
        if (Environment.GetEnvironmentVariable("THREADSAFE_MEASURE_SHRINK") != "1")
        {
            output.WriteLine("Set THREADSAFE_MEASURE_SHRINK=1 to measure.");
            return;
        }

        IZooCase zoo = ZooCases.Get(name);
        int minimal = Assert.Throws<ConcurrencyTestException>(() => zoo.CheckSystematic(broken: true, ForCase(name, Systematic))).Scenario!.Count;
        string row = string.Create(CultureInfo.InvariantCulture, $"| {name} | {minimal} |");
        foreach (int tries in new[] { 1, 3 })
        {
            int caught = 0, reached = 0;
            var sizes = new List<int>();
            for (int seed = 0; seed < Seeds; seed++)
            {
                try
                {
                    zoo.CheckStress(broken: true, ForCase(name, Stress) with { Seed = Stress.Seed + (ulong)seed, ShrinkTries = tries });
                }
                catch (ConcurrencyTestException ex) when (ex.Scenario is not null)
                {
                    caught++;
                    sizes.Add(ex.Scenario.Count);
                    Assert.True(ex.Scenario.Count >= minimal, $"{name}: stress shrank to {ex.Scenario.Count} calls, below the minimal {minimal}.");
                    reached += ex.Scenario.Count == minimal ? 1 : 0;
                }
            }

            row += string.Create(CultureInfo.InvariantCulture, $" {reached}/{caught} (sizes {string.Join(",", sizes)}) |");
        }

        output.WriteLine("| Case | Minimal calls | ShrinkTries = 1: minimal reached / caught | ShrinkTries = 3 |");
        output.WriteLine(row);
    }

    private static LinearizabilityOptions ForCase(string name, LinearizabilityOptions options) =>
        name == "LostWakeup"
            ? options with { RunsPerScenario = options.Scenarios * options.RunsPerScenario, IterationsPerScenario = options.Scenarios * options.IterationsPerScenario }
            : options;
}
