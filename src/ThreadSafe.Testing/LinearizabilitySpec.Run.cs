namespace ThreadSafe.Testing;

/// <content>Running one scenario once, recording its history, and checking it.</content>
public sealed partial class LinearizabilitySpec<TSut, TModel>
{
    private Resolved Resolve(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return new Resolved(
            scenario,
            scenario.Prefix.Select(Find).ToArray(),
            scenario.Threads.Select(t => t.Select(Find).ToArray()).ToArray(),
            scenario.Suffix.Select(Find).ToArray());

        (int Operation, object? Argument) Find(Invocation call)
        {
            if (!_byName.TryGetValue(call.Operation, out int index))
            {
                throw new ArgumentException(
                    $"The scenario calls '{call.Operation}', which is not an operation of this specification (known: {string.Join(", ", _byName.Keys)}).",
                    nameof(scenario));
            }

            if (_operations[index].HasArgument != call.HasArgument)
            {
                throw new ArgumentException(
                    $"'{call.Operation}' {(_operations[index].HasArgument ? "takes" : "takes no")} argument, but the scenario calls {call}.",
                    nameof(scenario));
            }

            return (index, call.Argument);
        }
    }

    private static void Execute(TSut sut, OperationDefinition<TSut, TModel> op, object? argument, Clock clock, ref HistoryEntry slot)
    {
        slot.Argument = argument;
        slot.Invoked = clock.Tick();
        try
        {
            slot.Result = op.Run(sut, argument);
        }
        catch (Exception ex)
        {
            slot.Result = new Thrown(ex);
        }

        slot.Responded = clock.Tick();
    }

    private void RunSequential((int Operation, object? Argument)[] calls, HistoryEntry[] slots, TSut sut, Clock clock)
    {
        for (int k = 0; k < calls.Length; k++)
        {
            slots[k].Operation = calls[k].Operation;
            Execute(sut, _operations[calls[k].Operation], calls[k].Argument, clock, ref slots[k]);
        }
    }

    private void RunThread(Resolved scenario, Recorded run, int thread, TSut sut, Clock clock, Random? jitter)
    {
        (int Operation, object? Argument)[] calls = scenario.Threads[thread];
        HistoryEntry[] slots = run.Threads[thread];
        for (int k = 0; k < calls.Length; k++)
        {
            if (jitter is not null)
            {
                Thread.SpinWait(jitter.Next(0, 64));
            }

            slots[k].Operation = calls[k].Operation;
            Execute(sut, _operations[calls[k].Operation], calls[k].Argument, clock, ref slots[k]);
        }
    }

    /// <summary>Runs the scenario once on real threads released together; throws <see cref="ConcurrencyTestException"/> on a hang.</summary>
    private Recorded RunOnThreads(Resolved scenario, TimeSpan timeout, bool jitter, int runIndex)
    {
        var run = new Recorded(scenario);
        var clock = new Clock();
        TSut sut = _createObject();
        RunSequentialBounded(scenario.Prefix, run.Prefix, sut, clock, timeout, "Prefix");
        Concurrently.Run(
            t => RunThread(scenario, run, t, sut, clock, jitter ? new Random(HashCode.Combine(runIndex, t)) : null),
            new ConcurrentRunOptions { Threads = scenario.Threads.Length, Timeout = timeout, ThreadName = "Thread" });
        RunSequentialBounded(scenario.Suffix, run.Suffix, sut, clock, timeout, "Suffix");
        DisposeAfterRun(sut, timeout);
        return run;
    }

    // An object under test that owns threads or tasks (a queue, a writer) stops them when disposed: every run disposes
    // its object, so runs do not leak threads and Coyote sees no operation left blocked at the end of an iteration.
    private static void DisposeAfterRun(TSut sut, TimeSpan timeout)
    {
        if (sut is IAsyncDisposable asyncDisposable)
        {
            if (!asyncDisposable.DisposeAsync().AsTask().Wait(timeout))
            {
                throw new ConcurrencyTestException($"Disposing the object under test after the run did not finish within {timeout}.");
            }
        }
        else if (sut is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    // The prefix and the suffix can block too (e.g. a take after the object lost an item): they run on a
    // thread of their own, bounded by the timeout, so a hang fails the check instead of the test run.
    private void RunSequentialBounded((int Operation, object? Argument)[] calls, HistoryEntry[] slots, TSut sut, Clock clock, TimeSpan timeout, string name)
    {
        if (calls.Length > 0)
        {
            Concurrently.Run(
                _ => RunSequential(calls, slots, sut, clock),
                new ConcurrentRunOptions { Threads = 1, Timeout = timeout, ThreadName = name });
        }
    }

    /// <summary>Runs the scenario once with one task per thread; under Coyote's scheduler in systematic mode.</summary>
    private async Task<Recorded> RunOnTasksAsync(Resolved scenario)
    {
        var run = new Recorded(scenario);
        var clock = new Clock();
        TSut sut = CreateObjectForSystematic();
        RunSequential(scenario.Prefix, run.Prefix, sut, clock);
        var tasks = new Task[scenario.Threads.Length];
        for (int t = 0; t < tasks.Length; t++)
        {
            int thread = t;
            tasks[t] = Task.Run(() => RunThread(scenario, run, thread, sut, clock, null));
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        RunSequential(scenario.Suffix, run.Suffix, sut, clock);
        if (sut is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (sut is IDisposable disposable)
        {
            disposable.Dispose();
        }

        return run;
    }

    /// <summary>Whether the model can complete every call of the scenario in some order its threads allow.</summary>
    private bool IsFeasible(Resolved scenario) =>
        new LinearizabilityChecker<TSut, TModel>(_operations, _modelEquality).IsFeasible(
            Calls(scenario.Prefix), scenario.Threads.Select(Calls).ToArray(), Calls(scenario.Suffix), _createModel());

    private static HistoryEntry[] Calls((int Operation, object? Argument)[] calls) =>
        calls.Select(c => new HistoryEntry { Operation = c.Operation, Argument = c.Argument }).ToArray();

    private bool IsLinearizable(LinearizabilityChecker<TSut, TModel> checker, Recorded run) =>
        checker.IsLinearizable(run.Flatten(), _createModel());

    /// <summary>A scenario with operation names resolved to indices.</summary>
    private sealed record Resolved(
        Scenario Scenario,
        (int Operation, object? Argument)[] Prefix,
        (int Operation, object? Argument)[][] Threads,
        (int Operation, object? Argument)[] Suffix);

    /// <summary>The history of one run, laid out like its scenario; each thread writes only its own array.</summary>
    private sealed class Recorded(Resolved scenario)
    {
        public Resolved Scenario { get; } = scenario;

        public HistoryEntry[] Prefix { get; } = new HistoryEntry[scenario.Prefix.Length];

        public HistoryEntry[][] Threads { get; } = scenario.Threads.Select(t => new HistoryEntry[t.Length]).ToArray();

        public HistoryEntry[] Suffix { get; } = new HistoryEntry[scenario.Suffix.Length];

        public HistoryEntry[] Flatten() => [.. Prefix, .. Threads.SelectMany(t => t), .. Suffix];
    }

    /// <summary>The shared logical clock: invoke and response times from one atomic counter.</summary>
    private sealed class Clock
    {
        private long _now;

        public long Tick() => Interlocked.Increment(ref _now);
    }
}
