using FsCheck.Fluent;
using ThreadSafe.Testing.UnlistedLibrary;
using ThreadSafe.Testing.UserLibrary;
using Xunit.Abstractions;

namespace ThreadSafe.Testing.Tests;

/// <summary>
/// The racy types that ThreadSafe.Testing.Unrewritten.Tests must refuse to check are really racy: here, with every
/// assembly rewritten, systematic mode catches both. A refusal there is thus what stands between the user and a false pass.
/// </summary>
public sealed class UserLibraryRaceTests(ITestOutputHelper output)
{
    private static readonly LinearizabilityOptions Options = new() { Scenarios = 5, IterationsPerScenario = 50, MaxShrinkAttempts = 20 };

    [Fact]
    public void CheckThenActOverGuarded_InAUserLibrary_IsCaughtBySystematicMode()
    {
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(() =>
            new LinearizabilitySpec<TagRegistry, (bool One, bool Two)>(() => new TagRegistry(), () => (false, false))
                .Operation("AddIfAbsent", Gen.Choose(1, 2), (r, tag) => r.AddIfAbsent(tag), (m, tag) => tag == 1 ? (!m.One, (true, m.Two)) : (!m.Two, (m.One, true)))
                .CheckScenarioSystematic(new Scenario([Invocation.Of("AddIfAbsent", 1)], [Invocation.Of("AddIfAbsent", 1)]), Options));
        output.WriteLine(ex.Message);
        Assert.Contains("AddIfAbsent(1) -> true | AddIfAbsent(1) -> true", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SplitLockCounter_BehindAnInterface_IsCaughtBySystematicMode()
    {
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(() =>
            new LinearizabilitySpec<ICounter, int>(() => new SplitLockCounter(), () => 0)
                .Operation("Increment", c => c.Increment(), m => (m + 1, m + 1))
                .CheckScenarioSystematic(new Scenario([Invocation.Of("Increment")], [Invocation.Of("Increment")]), Options));
        output.WriteLine(ex.Message);
        Assert.Contains("Increment() -> 1 | Increment() -> 1", ex.Message, StringComparison.Ordinal);
    }
}
