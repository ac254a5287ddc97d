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
        if (options.ReproducibleTrace is not null)
        {
            throw new ArgumentException(
                "A reproducible trace belongs to one scenario: replay it with CheckScenarioSystematic(exception.Scenario, options), not CheckSystematic.",
                nameof(options));
        }

        EnsureRewritten(options);
        Drive(Generate(options), Mode.Systematic, options);
    }

    /// <summary>
    /// Systematic mode on one given scenario: Coyote explores <see cref="LinearizabilityOptions.IterationsPerScenario"/> schedules,
    /// or, with <see cref="LinearizabilityOptions.ReproducibleTrace"/>, replays that one schedule.
    /// </summary>
    /// <param name="scenario">The scenario; its operation names must be registered.</param>
    /// <param name="options">Seed and counts; <see langword="null"/> for <see cref="LinearizabilityOptions.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="scenario"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The scenario calls an unknown operation, or passes an argument to one that takes none (or the reverse).</exception>
    /// <exception cref="InvalidOperationException">An assembly whose code runs in the scenario was not rewritten by Coyote.</exception>
    /// <exception cref="ConcurrencyTestException">A history was not linearizable, or Coyote found a deadlock or an unhandled exception.</exception>
    public void CheckScenarioSystematic(Scenario scenario, LinearizabilityOptions? options = null)
    {
        options = Prepare(options);
        Resolved resolved = Resolve(scenario);
        EnsureRewritten(options);
        Drive([(resolved, null)], Mode.Systematic, options);
    }

    // Refuses to run when code the spec can reach is not rewritten: Coyote would explore nothing in it and pass.
    private void EnsureRewritten(LinearizabilityOptions options)
    {
        var roots = new HashSet<Assembly>(_userAssemblies) { typeof(LinearizabilitySpec<TSut, TModel>).Assembly };
        string[] missing = RewriteGuard.FindNotRewritten(roots, options.UncontrolledAssemblies);
        if (missing.Length > 0)
        {
            throw new InvalidOperationException(RewriteGuard.Refusal(missing));
        }
    }

    // The object under test in systematic mode. Its runtime type (e.g. behind an interface, made by a factory in
    // another assembly) runs under Coyote too, so it is checked for rewriting after the engine ran: checking it here,
    // inside the Coyote test, would add scheduling points to the first iteration only, and a replayed trace would diverge.
    private TSut CreateObjectForSystematic()
    {
        TSut sut = _createObject();
        _systematicObjectType = sut?.GetType();
        return sut;
    }

    // Refuses a run whose object under test has a runtime type that reaches an assembly that is not rewritten.
    private void EnsureRuntimeTypeRewritten(LinearizabilityOptions options)
    {
        if (_systematicObjectType is not Type type || !_checkedRuntimeTypes.TryAdd(type, 0))
        {
            return;
        }

        var roots = new HashSet<Assembly>();
        AddAssemblies(type, roots);
        string[] missing = RewriteGuard.FindNotRewritten(roots, options.UncontrolledAssemblies);
        if (missing.Length > 0)
        {
            _checkedRuntimeTypes.TryRemove(type, out _);
            throw new InvalidOperationException(RewriteGuard.Refusal(missing));
        }
    }

    private static void AddAssemblies(Type type, HashSet<Assembly> into)
    {
        for (Type? t = type; t is not null; t = t.BaseType)
        {
            into.Add(t.Assembly);
            foreach (Type argument in t.IsGenericType ? t.GetGenericArguments() : [])
            {
                AddAssemblies(argument, into);
            }
        }
    }

    // Round r > 0 explores from another seed (the same seed would repeat the same schedules).
    private Failure? ExploreSystematic(Resolved scenario, LinearizabilityOptions options, int round, ref long attempts)
    {
        var checker = new LinearizabilityChecker<TSut, TModel>(_operations, _modelEquality);
        Recorded? failing = null;
        Configuration configuration = Configuration.Create()
            .WithTestingIterations((uint)options.IterationsPerScenario)
            .WithRandomGeneratorSeed(unchecked((uint)(options.Seed + (ulong)round)))
            .WithMaxSchedulingSteps(10_000)
            .WithVerbosityEnabled(VerbosityLevel.None)
            .WithTelemetryEnabled(false)
            .WithAtomicOperationRaceCheckingEnabled(true)
            .WithVolatileOperationRaceCheckingEnabled(true)
            .WithCollectionAccessRaceCheckingEnabled(true);
        if (options.ReproducibleTrace is not null)
        {
            configuration = configuration.WithReproducibleTrace(options.ReproducibleTrace);
        }

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

        // A refusal outranks whatever Coyote reported: with uncontrolled code, a pass and a failure mean nothing.
        EnsureRuntimeTypeRewritten(options);

        TestReport report = engine.TestReport;
        int explored = report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths;
        attempts += Math.Max(explored, 1);
        if (report.NumOfFoundBugs == 0)
        {
            return null;
        }

        // A replay reports the trace it replayed (Coyote records none while replaying).
        string trace = options.ReproducibleTrace ?? engine.ReproducibleTrace;
        return failing is not null
            ? new Failure(failing, Complete: true, null, trace)
            : new Failure(new Recorded(scenario), Complete: false, string.Join(Environment.NewLine, report.BugReports), trace);
    }
}
