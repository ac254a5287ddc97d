using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace ThreadSafe.Testing;

/// <content>Scenario generation, the stress mode, shrinking and the failure report.</content>
public sealed partial class LinearizabilitySpec<TSut, TModel>
{
    /// <summary>
    /// Stress mode: generates <see cref="LinearizabilityOptions.Scenarios"/> scenarios from the seed, runs each
    /// <see cref="LinearizabilityOptions.RunsPerScenario"/> times on real threads, and checks every history.
    /// </summary>
    /// <param name="options">Seed, sizes and counts; <see langword="null"/> for <see cref="LinearizabilityOptions.Default"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">No operation is registered.</exception>
    /// <exception cref="ConcurrencyTestException">
    /// A history was not linearizable or a run hung: the message has the shrunk scenario's failure table and the seed.
    /// </exception>
    public void Check(LinearizabilityOptions? options = null)
    {
        options = Prepare(options);
        Drive(Generate(options), Mode.Stress, options);
    }

    /// <summary>Stress mode on one given scenario, run <see cref="LinearizabilityOptions.RunsPerScenario"/> times on real threads.</summary>
    /// <param name="scenario">The scenario; its operation names must be registered.</param>
    /// <param name="options">Counts and timeouts; <see langword="null"/> for <see cref="LinearizabilityOptions.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="scenario"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The scenario calls an unknown operation, or passes an argument to one that takes none (or the reverse).</exception>
    /// <exception cref="ConcurrencyTestException">A history was not linearizable or a run hung.</exception>
    public void CheckScenario(Scenario scenario, LinearizabilityOptions? options = null)
    {
        options = Prepare(options);
        Drive([(Resolve(scenario), null)], Mode.Stress, options);
    }

    /// <summary>Scenarios as an FsCheck arbitrary: the generator of <see cref="Check(LinearizabilityOptions?)"/> and its shrinker.</summary>
    /// <param name="options">Sizes of the generated scenarios; <see langword="null"/> for <see cref="LinearizabilityOptions.Default"/>.</param>
    /// <returns>The arbitrary.</returns>
    /// <exception cref="InvalidOperationException">No operation is registered.</exception>
    public Arbitrary<Scenario> Scenarios(LinearizabilityOptions? options = null) =>
        Arb.From(ScenarioGen(Prepare(options)), ScenarioShrinker.Candidates);

    /// <summary>
    /// An FsCheck property for an FsCheck.Xunit <c>[Property]</c> method: for every generated scenario, every
    /// run on real threads is linearizable (scenarios the model cannot complete in any order, which must block, pass
    /// without running). FsCheck does the shrinking and reports its replay seed; the
    /// exception of the smallest failing scenario holds its failure table. Its HTML report (one file per property, rewritten by
    /// each failing scenario) ends as that scenario's.
    /// </summary>
    /// <param name="options">Sizes and runs per scenario; <see langword="null"/> for <see cref="LinearizabilityOptions.Default"/>.</param>
    /// <returns>The property.</returns>
    /// <exception cref="InvalidOperationException">No operation is registered.</exception>
    public Property Property(LinearizabilityOptions? options = null)
    {
        LinearizabilityOptions checkedOptions = Prepare(options);
        string reportFile = ReportFile.NewName(typeof(TSut), "property");
        return Prop.ForAll(Scenarios(checkedOptions), scenario =>
        {
            // As in Check: a scenario the model cannot complete in any order must block, so it proves nothing.
            Resolved resolved = Resolve(scenario);
            if (!IsFeasible(resolved))
            {
                return;
            }

            long runs = 0;
            Failure? failure = Explore(resolved, Mode.Stress, checkedOptions, ref runs);
            if (failure is not null)
            {
                throw Report(failure, checkedOptions, runs, scenarioNumber: null, shrunkFrom: null, reportFile);
            }
        });
    }

    private LinearizabilityOptions Prepare(LinearizabilityOptions? options)
    {
        options ??= LinearizabilityOptions.Default;
        options.Validate(nameof(options));
        if (_operations.Count == 0)
        {
            throw new InvalidOperationException("Register at least one operation (Operation or Command) before checking.");
        }

        return options;
    }

    private Gen<Scenario> ScenarioGen(LinearizabilityOptions o)
    {
        Gen<Invocation> call = Gen.Choose(0, _operations.Count - 1).SelectMany(i =>
        {
            OperationDefinition<TSut, TModel> op = _operations[i];
            return op.HasArgument ? op.Arguments.Select(a => Invocation.Of(op.Name, a)) : Gen.Constant(Invocation.Of(op.Name));
        });
        Gen<Invocation[]> Calls(int min, int max) => Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(call, n));
        return from prefix in Calls(0, o.MaxPrefix)
               from threadCount in Gen.Choose(o.MinThreads, o.MaxThreads)
               from threads in Gen.ArrayOf(Calls(1, o.MaxOperationsPerThread), threadCount)
               from suffix in Calls(0, o.MaxSuffix)
               select new Scenario(prefix, threads, suffix);
    }

    // Scenarios the model cannot complete in any order (e.g. more blocking takes than puts) are skipped.
    // Each keeps its 1-based number among the generated ones, for the report. FsCheck's Gen.Sample takes
    // (generator, how many, seed, size): o.Scenarios scenarios of size 10.
    private IEnumerable<(Resolved Scenario, int? Number)> Generate(LinearizabilityOptions o) =>
        Gen.Sample(ScenarioGen(o), o.Scenarios, new Rnd(o.Seed), 10)
            .Select((s, i) => (Resolve(s), (int?)(i + 1)))
            .Where(g => IsFeasible(g.Item1));

    private void Drive(IEnumerable<(Resolved Scenario, int? Number)> scenarios, Mode mode, LinearizabilityOptions options)
    {
        long attempts = 0;
        int number = 0;
        foreach ((Resolved scenario, int? generatedNumber) in scenarios)
        {
            number++;
            Failure? failure = Explore(scenario, mode, options, ref attempts);
            if (failure is not null)
            {
                Scenario original = failure.Run.Scenario.Scenario;

                // A replayed trace belongs to this scenario only: shrinking would explore other schedules.
                failure = options.ReproducibleTrace is null ? Shrink(failure, mode, options) : failure;
                throw Report(failure, options, attempts, generatedNumber, original);
            }
        }

        options.Log?.Invoke(string.Create(
            CultureInfo.InvariantCulture,
            $"{mode}: {Scenario.Plural(number, "scenario")}, {Scenario.Plural((int)Math.Min(attempts, int.MaxValue), mode == Mode.Stress ? "run" : "schedule")}, all linearizable (seed {options.Seed})."));
    }

    private Failure? Explore(Resolved scenario, Mode mode, LinearizabilityOptions options, ref long attempts, int round = 0) =>
        mode == Mode.Stress ? ExploreStress(scenario, options, round, ref attempts) : ExploreSystematic(scenario, options, round, ref attempts);

    // Round r > 0 (a retry while shrinking) runs with other jitter: the same jitter would repeat the same timings.
    private Failure? ExploreStress(Resolved scenario, LinearizabilityOptions options, int round, ref long attempts)
    {
        var checker = new LinearizabilityChecker<TSut, TModel>(_operations, _modelEquality);
        for (int r = 0; r < options.RunsPerScenario; r++)
        {
            attempts++;
            Recorded run;
            try
            {
                run = RunOnThreads(scenario, options.Timeout, options.Jitter, (round * options.RunsPerScenario) + r);
            }
            catch (ConcurrencyTestException hang)
            {
                return new Failure(new Recorded(scenario), Complete: false, hang.Message, null);
            }

            if (!IsLinearizable(checker, run))
            {
                return new Failure(run, Complete: true, null, null);
            }
        }

        return null;
    }

    private Failure Shrink(Failure failure, Mode mode, LinearizabilityOptions options)
    {
        int budget = options.MaxShrinkAttempts;
        bool smaller = failure.Complete;
        while (smaller && budget > 0)
        {
            smaller = false;
            foreach (Scenario candidate in ScenarioShrinker.Candidates(failure.Run.Scenario.Scenario))
            {
                if (budget-- <= 0)
                {
                    break;
                }

                // A candidate the model cannot complete in any order must block: skip it rather than wait for a timeout.
                Resolved resolved = Resolve(candidate);
                if (!IsFeasible(resolved))
                {
                    continue;
                }

                // On real threads a race that failed the larger scenario may need several tries to show in a
                // smaller one: each candidate gets ShrinkTries. Systematic mode explores each candidate once
                // (its schedules from the seed are reliable enough, and its reports stay repeatable).
                Failure? found = null;
                int tries = mode == Mode.Stress ? options.ShrinkTries : 1;
                for (int round = 0; round < tries && found is not { Complete: true }; round++)
                {
                    long ignored = 0;
                    found = Explore(resolved, mode, options, ref ignored, round);
                }

                // A hang found while shrinking is not a smaller linearizability failure: keep the table.
                if (found is { Complete: true })
                {
                    failure = found;
                    smaller = true;
                    break;
                }
            }
        }

        return failure;
    }

    // reportFile: the HTML report's file name, null for a new one (Property() passes one name for all its failures,
    // so the last one written, FsCheck's smallest failing scenario, is the one left).
    private ConcurrencyTestException Report(Failure failure, LinearizabilityOptions options, long attempts, int? scenarioNumber, Scenario? shrunkFrom, string? reportFile = null)
    {
        Recorded run = failure.Run;
        var text = new StringBuilder();
        string mode = failure.CoyoteTrace is null ? "stress mode, real threads" : "systematic mode, Coyote";
        if (failure.Complete)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Not linearizable ({mode}): no order of these calls that respects real time gives every result on the sequential model.");
            text.AppendLine();
            text.Append(FailureTable.Format(Cells(run.Scenario.Prefix, run.Prefix), run.Scenario.Threads.Select((t, i) => Cells(t, run.Threads[i])).ToArray(), Cells(run.Scenario.Suffix, run.Suffix)));
        }
        else
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"The scenario did not complete ({mode}): {failure.Reason}");
            text.AppendLine();
            text.Append(FailureTable.Format(
                run.Scenario.Scenario.Prefix.Select(c => c.ToString()).ToArray(),
                run.Scenario.Scenario.Threads.Select(t => t.Select(c => c.ToString()).ToArray()).ToArray(),
                run.Scenario.Scenario.Suffix.Select(c => c.ToString()).ToArray()));
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Scenario: {run.Scenario.Scenario}");
        if (shrunkFrom is not null && shrunkFrom.Count != run.Scenario.Scenario.Count)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Shrunk from {Scenario.Plural(shrunkFrom.Count, "call")}: {shrunkFrom}");
        }

        string where = scenarioNumber is int k ? string.Create(CultureInfo.InvariantCulture, $"generated scenario {k} of {options.Scenarios}, ") : string.Empty;
        text.AppendLine(CultureInfo.InvariantCulture, $"Found after {Scenario.Plural((int)Math.Min(attempts, int.MaxValue), failure.CoyoteTrace is null ? "run" : "schedule")} ({where}seed {options.Seed}).");
        text.AppendLine(CultureInfo.InvariantCulture, $"Replay: new LinearizabilityOptions {{ Seed = {options.Seed} }}.");
        string? reportPath = null;
        if (failure.Complete && options.WriteReport)
        {
            reportFile ??= ReportFile.NewName(typeof(TSut), failure.CoyoteTrace is null ? "stress" : "systematic");
            reportPath = TryWriteReport(run, text.ToString().TrimEnd(), reportFile, options, out string? problem);
            text.AppendLine(reportPath is not null ? "HTML report of this history: " + reportPath : "No HTML report: " + problem);
        }

        if (failure.CoyoteTrace is not null)
        {
            text.AppendLine("Replay this schedule: spec.CheckScenarioSystematic(exception.Scenario, options with { ReproducibleTrace = exception.CoyoteTrace }), the trace being:");
            text.AppendLine(failure.CoyoteTrace);
        }

        return new ConcurrencyTestException(text.ToString())
        {
            Scenario = run.Scenario.Scenario,
            Seed = options.Seed,
            CoyoteTrace = failure.CoyoteTrace,
            Attempts = attempts,
            ReportPath = reportPath,
        };
    }

    private string[] Cells((int Operation, object? Argument)[] calls, HistoryEntry[] entries) =>
        calls.Select((c, k) =>
        {
            OperationDefinition<TSut, TModel> op = _operations[c.Operation];
            return FailureTable.Cell(op.Name, op.HasArgument, op.IsCommand, entries[k]);
        }).ToArray();

    private enum Mode
    {
        Stress,
        Systematic,
    }

    /// <summary>A failing run; <paramref name="Complete"/> is false when it hung or crashed before every call returned.</summary>
    private sealed record Failure(Recorded Run, bool Complete, string? Reason, string? CoyoteTrace);
}
