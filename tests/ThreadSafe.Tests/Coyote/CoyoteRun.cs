using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>Runs a scenario under Coyote's systematic scheduler with a fixed iteration count and seed.</summary>
internal static class CoyoteRun
{
    /// <summary>Default iteration count for the CI run: fixed so the suite's time and verdict are repeatable.</summary>
    public const uint DefaultIterations = 1000;

    /// <summary>Fixed seed: a failure reproduces on every machine. Override with THREADSAFE_COYOTE_SEED.</summary>
    public static uint Seed => uint.TryParse(Environment.GetEnvironmentVariable("THREADSAFE_COYOTE_SEED"), out uint s) ? s : 20261124u;

    /// <summary>Explores <paramref name="scenario"/> and fails the test, printing the seed and the bug, if Coyote finds one.</summary>
    public static void ExpectNoBug(Func<Task> scenario, ITestOutputHelper? output = null, uint iterations = DefaultIterations)
    {
        TestReport report = Run(scenario, iterations, output);
        if (report.NumOfFoundBugs > 0)
        {
            throw new Xunit.Sdk.XunitException(
                $"Coyote found a bug (seed {Seed}, {iterations} iterations; replay with THREADSAFE_COYOTE_SEED={Seed}):{Environment.NewLine}" +
                string.Join(Environment.NewLine, report.BugReports));
        }
    }

    /// <summary>Explores <paramref name="scenario"/> and fails the test if Coyote finds no bug: proves a harness can fail.</summary>
    /// <returns>The 1-based iteration at which the first bug was found (or the number of bugs found).</returns>
    public static TestReport ExpectBug(Func<Task> scenario, ITestOutputHelper? output = null, uint iterations = DefaultIterations)
    {
        TestReport report = Run(scenario, iterations, output);
        if (report.NumOfFoundBugs == 0)
        {
            throw new Xunit.Sdk.XunitException(
                $"Coyote found no bug in a deliberately broken scenario (seed {Seed}, {report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths} schedules explored).");
        }

        return report;
    }

    private static TestReport Run(Func<Task> scenario, uint iterations, ITestOutputHelper? output)
    {
        Configuration configuration = Configuration.Create()
            .WithTestingIterations(iterations)
            .WithRandomGeneratorSeed(Seed)
            .WithMaxSchedulingSteps(10_000)
            .WithDeadlockTimeout(5_000);
        using TestingEngine engine = TestingEngine.Create(configuration, scenario);
        engine.Run();
        TestReport report = engine.TestReport;
        output?.WriteLine($"Coyote: seed {Seed}, {iterations} iterations, {report.NumOfFoundBugs} bug(s) found.");
        foreach (string bug in report.BugReports)
        {
            output?.WriteLine(bug);
        }

        return report;
    }
}
