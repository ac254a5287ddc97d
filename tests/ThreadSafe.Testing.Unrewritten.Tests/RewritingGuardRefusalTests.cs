using System.Reflection;
using FsCheck.Fluent;
using Microsoft.Coyote.Rewriting;
using ThreadSafe.Testing.UserLibrary;

namespace ThreadSafe.Testing.Unrewritten.Tests;

/// <summary>
/// In this project ThreadSafe.dll and ThreadSafe.Testing.UnlistedLibrary.dll are not rewritten (the test
/// assembly, ThreadSafe.Testing and ThreadSafe.Testing.UserLibrary are). Coyote would explore none of their
/// locks, so a racy type built on them would pass systematic mode: it must refuse to run instead.
/// </summary>
public sealed class RewritingGuardRefusalTests
{
    private const string UnlistedCounter = "ThreadSafe.Testing.UnlistedLibrary.SplitLockCounter, ThreadSafe.Testing.UnlistedLibrary";

    private static readonly LinearizabilityOptions Options = new() { Scenarios = 5, IterationsPerScenario = 50 };

    [Fact]
    public void SetUp_RewritesTheUserLibraryButNotThreadSafe()
    {
        Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(TagRegistry).Assembly), "The user's library should be rewritten.");
        Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(LinearizabilitySpec<,>).Assembly), "ThreadSafe.Testing should be rewritten.");
        Assert.False(RewritingEngine.IsAssemblyRewritten(typeof(Guarded<>).Assembly), "ThreadSafe.dll is excluded from rewriting here.");
        Assert.False(RewritingEngine.IsAssemblyRewritten(LoadUnlisted().Assembly), "The unlisted library is loaded by name, so it is not rewritten.");
    }

    [Fact]
    public void RacyTypeInRewrittenLibrary_OverUnrewrittenThreadSafe_IsRefusedNamingThreadSafe()
    {
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => TagSpec().CheckSystematic(Options));
        Assert.Contains("- ThreadSafe (", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ThreadSafe.Testing.UserLibrary (", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ThreadSafeRewriteExclude", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RacyTypeInRewrittenLibrary_OverUnrewrittenThreadSafe_IsRefusedForAGivenScenarioToo()
    {
        var scenario = new Scenario([Invocation.Of("AddIfAbsent", 1)], [Invocation.Of("AddIfAbsent", 1)]);
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => TagSpec().CheckScenarioSystematic(scenario, Options));
        Assert.Contains("- ThreadSafe (", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InterfaceTypedSpec_OverUnlistedLibrary_IsRefused()
    {
        Assert.Throws<InvalidOperationException>(() => CounterSpec().CheckSystematic(Options));
    }

    [Fact]
    public void InterfaceTypedSpec_ObjectFromUnlistedLibrary_IsRefusedNamingIt_WhenItsTypeIsSeenOnlyAtRunTime()
    {
        // ThreadSafe is accepted here, so the refusal comes from the object's runtime type.
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(
            () => CounterSpec().CheckSystematic(Options with { UncontrolledAssemblies = ["ThreadSafe"] }));
        Assert.Contains("- ThreadSafe.Testing.UnlistedLibrary (", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("- ThreadSafe (", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StressMode_NeedsNoRewriting() =>
        CounterSpec().CheckScenario(new Scenario([Invocation.Of("Value")], [Invocation.Of("Value")]), new LinearizabilityOptions { RunsPerScenario = 2 });

    private static LinearizabilitySpec<TagRegistry, (bool One, bool Two)> TagSpec() =>
        new LinearizabilitySpec<TagRegistry, (bool One, bool Two)>(() => new TagRegistry(), () => (false, false))
            .Operation("AddIfAbsent", Gen.Choose(1, 2), (r, tag) => r.AddIfAbsent(tag), (m, tag) => tag == 1 ? (!m.One, (true, m.Two)) : (!m.Two, (m.One, true)))
            .Operation("Contains", Gen.Choose(1, 2), (r, tag) => r.Contains(tag), (m, tag) => (tag == 1 ? m.One : m.Two, m));

    // The object comes from a library this assembly has no reference to, as from a dependency-injection container.
    private static LinearizabilitySpec<ICounter, int> CounterSpec() =>
        new LinearizabilitySpec<ICounter, int>(() => (ICounter)Activator.CreateInstance(LoadUnlisted())!, () => 0)
            .Operation("Increment", c => c.Increment(), m => (m + 1, m + 1))
            .Operation("Value", c => c.Value, m => (m, m));

    private static Type LoadUnlisted() =>
        Type.GetType(UnlistedCounter, throwOnError: false)
        ?? Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, "ThreadSafe.Testing.UnlistedLibrary.dll")).GetType(UnlistedCounter.Split(',')[0], throwOnError: true)!;
}
