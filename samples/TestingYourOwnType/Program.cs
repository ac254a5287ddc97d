// TestingYourOwnType: checks a small custom type for linearizability with ThreadSafe.Testing, in stress mode
// (real threads) and systematic mode (Coyote). The broken version's failure table is the expected output;
// the exit code is 1 only if the broken version is NOT caught or the fixed version fails.
using FsCheck.Fluent;
using ThreadSafe.Testing;
using TestingYourOwnType;

// The model: hits per page as an immutable value. "home" and "about" are the only pages generated.
static LinearizabilitySpec<HitCounter, (int Home, int About)> Spec(bool atomic) =>
    new LinearizabilitySpec<HitCounter, (int Home, int About)>(() => new HitCounter(atomic), () => (0, 0))
        .Operation("Record", Gen.Elements("home", "about"), (c, page) => c.Record(page), (m, page) =>
            page == "home" ? (m.Home + 1, (m.Home + 1, m.About)) : (m.About + 1, (m.Home, m.About + 1)))
        .Operation("Count", Gen.Elements("home", "about"), (c, page) => c.Count(page), (m, page) =>
            (page == "home" ? m.Home : m.About, m));

var options = new LinearizabilityOptions { Scenarios = 20, RunsPerScenario = 20, IterationsPerScenario = 100 };
int exitCode = 0;

try
{
    Spec(atomic: false).CheckSystematic(options);
    Console.WriteLine("[FAIL] The broken HitCounter was not caught.");
    exitCode = 1;
}
catch (ConcurrencyTestException ex)
{
    Console.WriteLine("[ok]   The broken HitCounter is caught, as expected. The report a test would show:");
    Console.WriteLine();
    Console.WriteLine(ex.Message[..ex.Message.IndexOf("Replay this schedule", StringComparison.Ordinal)].TrimEnd());
    Console.WriteLine();

    // The printed trace replays the failing schedule of the shrunk scenario, once.
    try
    {
        Spec(atomic: false).CheckScenarioSystematic(ex.Scenario!, options with { ReproducibleTrace = ex.CoyoteTrace });
        Console.WriteLine("[FAIL] Replaying the trace did not reproduce the failure.");
        exitCode = 1;
    }
    catch (ConcurrencyTestException replayed) when (replayed.Scenario?.ToString() == ex.Scenario?.ToString())
    {
        Console.WriteLine("[ok]   Replaying its Coyote trace (LinearizabilityOptions.ReproducibleTrace) gives the same failure.");
    }
}

try
{
    Spec(atomic: true).Check(options);
    Spec(atomic: true).CheckSystematic(options);
    Console.WriteLine($"[ok]   The fixed HitCounter passed {options.Scenarios * options.RunsPerScenario} stress runs and up to {options.Scenarios * options.IterationsPerScenario} Coyote schedules.");
}
catch (ConcurrencyTestException ex)
{
    Console.WriteLine("[FAIL] The fixed HitCounter failed:");
    Console.WriteLine(ex.Message);
    exitCode = 1;
}

return exitCode;
