using ThreadSafe.Testing.UnlistedLibrary;
using ThreadSafe.Testing.UserLibrary;
using Xunit.Abstractions;

namespace ThreadSafe.Testing.Tests;

/// <summary>A systematic-mode failure prints a Coyote trace; replaying it gives the same failure.</summary>
public sealed class ReproducibleTraceTests(ITestOutputHelper output)
{
    private static LinearizabilitySpec<ICounter, int> Spec() =>
        new LinearizabilitySpec<ICounter, int>(() => new SplitLockCounter(), () => 0)
            .Operation("Increment", c => c.Increment(), m => (m + 1, m + 1))
            .Operation("Value", c => c.Value, m => (m, m));

    [Fact]
    public void PrintedTrace_ReplaysToTheSameFailure()
    {
        var options = new LinearizabilityOptions { Scenarios = 10, IterationsPerScenario = 50 };
        ConcurrencyTestException first = Assert.Throws<ConcurrencyTestException>(() => Spec().CheckSystematic(options));
        Assert.NotNull(first.CoyoteTrace);
        Assert.NotNull(first.Scenario);
        Assert.Contains(first.CoyoteTrace, first.Message, StringComparison.Ordinal);
        Assert.Contains("ReproducibleTrace = exception.CoyoteTrace", first.Message, StringComparison.Ordinal);

        ConcurrencyTestException replayed = Assert.Throws<ConcurrencyTestException>(
            () => Spec().CheckScenarioSystematic(first.Scenario, options with { ReproducibleTrace = first.CoyoteTrace }));
        output.WriteLine(replayed.Message);
        Assert.Equal(FailureTable(first.Message), FailureTable(replayed.Message));
        Assert.Equal(first.Scenario.ToString(), replayed.Scenario!.ToString());
        Assert.Equal(1, replayed.Attempts);
        Assert.Equal(first.CoyoteTrace, replayed.CoyoteTrace);
    }

    [Fact]
    public void Trace_IsRefusedByCheckSystematic_BecauseItBelongsToOneScenario()
    {
        ArgumentException ex = Assert.Throws<ArgumentException>(
            () => Spec().CheckSystematic(new LinearizabilityOptions { ReproducibleTrace = "{}" }));
        Assert.Contains("CheckScenarioSystematic", ex.Message, StringComparison.Ordinal);
    }

    // The report's table: the lines between the verdict and "Scenario:".
    private static string FailureTable(string message) =>
        message[..message.IndexOf("Scenario:", StringComparison.Ordinal)];
}
