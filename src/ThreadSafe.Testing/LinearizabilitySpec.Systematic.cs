using System.Reflection;
using Microsoft.Coyote;
using Microsoft.Coyote.Logging;
using Microsoft.Coyote.Rewriting;
using Microsoft.Coyote.Specifications;
using Microsoft.Coyote.SystematicTesting;

namespace ThreadSafe.Testing;

/// <content>Systematic mode: the same scenarios under Microsoft.Coyote's controlled scheduler.</content>
public sealed partial class LinearizabilitySpec<TSut, TModel>
{
    /// <summary>
    /// Systematic mode: generates <see cref="LinearizabilityOptions.Scenarios"/> scenarios from the seed and lets
    /// Coyote explore <see cref="LinearizabilityOptions.IterationsPerScenario"/> schedules of each, one task
    /// per thread, checking every history. Coyote switches threads only at synchronization points it controls
    /// (locks, <see cref="System.Threading.Monitor"/> waits, <see cref="Interlocked"/>, <see cref="Volatile"/>, tasks), so it
    /// finds races that need a precise interleaving which real threads almost never produce.
    /// </summary>
    /// <param name="options">Seed, sizes and counts; <see langword="null"/> for <see cref="LinearizabilityOptions.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">
    /// No operation is registered, or an assembly whose code runs in the scenario was not rewritten by Coyote
    /// (the message says how to set rewriting up): without rewriting, Coyote controls nothing and reports false deadlocks.
    /// </exception>
    /// <exception cref="ConcurrencyTestException">
    /// A history was not linearizable, or Coyote found a deadlock or an unhandled exception: the message has
    /// the shrunk scenario's failure table, the seed and Coyote's reproducible trace.
    /// </exception>
    public void CheckSystematic(LinearizabilityOptions? options = null)
    {
        options = Prepare(options);
        EnsureRewritten();
        Drive(Generate(options), Mode.Systematic, options);
    }

    /// <summary>Systematic mode on one given scenario: Coyote explores <see cref="LinearizabilityOptions.IterationsPerScenario"/> schedules.</summary>
    /// <param name="scenario">The scenario; its operation names must be registered.</param>
    /// <param name="options">Seed and counts; <see langword="null"/> for <see cref="LinearizabilityOptions.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="scenario"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The scenario calls an unknown operation, or passes an argument to one that takes none (or the reverse), or has more than 64 calls.</exception>
    /// <exception cref="InvalidOperationException">An assembly whose code runs in the scenario was not rewritten by Coyote.</exception>
    /// <exception cref="ConcurrencyTestException">A history was not linearizable, or Coyote found a deadlock or an unhandled exception.</exception>
    public void CheckScenarioSystematic(Scenario scenario, LinearizabilityOptions? options = null)
    {
        options = Prepare(options);
        Resolved resolved = Resolve(scenario);
        EnsureRewritten();
        Drive([(resolved, null)], Mode.Systematic, options);
    }

    private void EnsureRewritten()
    {
        var assemblies = new HashSet<Assembly>(_userAssemblies) { typeof(LinearizabilitySpec<TSut, TModel>).Assembly };
        string[] missing = assemblies
            .Where(a => !IsFramework(a) && !RewritingEngine.IsAssemblyRewritten(a))
            .Select(a => a.GetName().Name ?? a.FullName ?? "?")
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException(
                $"Systematic mode needs Coyote-rewritten assemblies, but these are not rewritten: {string.Join(", ", missing)}. " +
                "Without rewriting, Coyote controls none of their locks and tasks: it would report false deadlocks and miss real races, so the check refuses to run. " +
                "Fix: after Build, run 'dotnet <nuget>/microsoft.coyote.tool/1.7.11/tools/net8.0/coyote.dll rewrite <assembly>' on the test assembly, " +
                "ThreadSafe.Testing.dll and the assemblies under test in the output folder (see docs/testing.md, 'Setting up Coyote rewriting', " +
                "for the MSBuild target that does it on every build). Stress mode (Check) needs no rewriting.");
        }
    }

    private static bool IsFramework(Assembly assembly)
    {
        string name = assembly.GetName().Name ?? string.Empty;
        return name.StartsWith("System", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.", StringComparison.Ordinal)
            || name is "mscorlib" or "netstandard" or "FSharp.Core" or "FsCheck";
    }

    private Failure? ExploreSystematic(Resolved scenario, LinearizabilityOptions options, ref long attempts)
    {
        var checker = new LinearizabilityChecker<TSut, TModel>(_operations, _modelEquality);
        Recorded? failing = null;
        Configuration configuration = Configuration.Create()
            .WithTestingIterations((uint)options.IterationsPerScenario)
            .WithRandomGeneratorSeed(unchecked((uint)options.Seed))
            .WithMaxSchedulingSteps(10_000)
            .WithVerbosityEnabled(VerbosityLevel.None)
            .WithTelemetryEnabled(false)
            .WithAtomicOperationRaceCheckingEnabled(true)
            .WithVolatileOperationRaceCheckingEnabled(true)
            .WithCollectionAccessRaceCheckingEnabled(true);
        using TestingEngine engine = TestingEngine.Create(configuration, async () =>
        {
            Recorded run = await RunOnTasksAsync(scenario).ConfigureAwait(false);
            if (!IsLinearizable(checker, run))
            {
                failing = run;
                Specification.Assert(false, "The history is not linearizable.");
            }
        });

        // Coyote's engine prints every iteration to the console by default; the report carries what matters.
        using var quiet = new TextWriterLogger(TextWriter.Null, VerbosityLevel.None);
        engine.SetLogger(quiet);
        engine.Run();
        TestReport report = engine.TestReport;
        int explored = report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths;
        attempts += Math.Max(explored, 1);
        if (report.NumOfFoundBugs == 0)
        {
            return null;
        }

        return failing is not null
            ? new Failure(failing, Complete: true, null, engine.ReproducibleTrace)
            : new Failure(new Recorded(scenario), Complete: false, string.Join(Environment.NewLine, report.BugReports), engine.ReproducibleTrace);
    }
}
