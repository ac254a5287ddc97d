using System.Diagnostics;

namespace ThreadSafe.Testing.Histories;

/// <summary>
/// Checks recorded histories for linearizability against a sequential <see cref="Model{TState, TInput, TOutput}"/>:
/// whether some order of the calls that respects real time (a call that returned before another was called
/// comes first) gives every call its recorded output. Histories of any length; calls that never returned may
/// have taken effect or not; the parts of a partitioned model are checked in parallel.
/// </summary>
/// <example>
/// <code>
/// var register = new Model&lt;int, (bool Write, int Value), int&gt;
/// {
///     Init = () =&gt; 0,
///     Step = (state, input, output) =&gt; input.Write ? (true, input.Value) : (output == state, state),
/// };
/// LinearizabilityResult result = Linearizability.Check(register, history, TimeSpan.FromSeconds(10));
/// if (result.Verdict != LinearizabilityVerdict.Linearizable) { result.WriteHtml("history.html"); }
/// </code>
/// </example>
public static class Linearizability
{
    /// <summary>Checks a history of operations.</summary>
    /// <typeparam name="TState">The model's state.</typeparam>
    /// <typeparam name="TInput">What a call asks.</typeparam>
    /// <typeparam name="TOutput">What a call returns.</typeparam>
    /// <param name="model">The sequential specification.</param>
    /// <param name="operations">The recorded calls, in any order.</param>
    /// <param name="timeout">The time budget; <see cref="Timeout.InfiniteTimeSpan"/> for none. When it runs out the verdict is <see cref="LinearizabilityVerdict.Unknown"/>.</param>
    /// <returns>The verdict and its report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An operation is <see langword="null"/> or returned before it was called, the model lacks <c>Init</c> or <c>Step</c>, or its partition returned a <see langword="null"/> part or operation.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    /// <exception cref="InvalidOperationException">A function of the model threw (the exception is the inner one).</exception>
    public static LinearizabilityResult Check<TState, TInput, TOutput>(
        Model<TState, TInput, TOutput> model, IReadOnlyList<Operation<TInput, TOutput>> operations, TimeSpan timeout) =>
        Check(model, operations, timeout, CancellationToken.None);

    /// <summary>Checks a history of operations, until the budget runs out or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <typeparam name="TState">The model's state.</typeparam>
    /// <typeparam name="TInput">What a call asks.</typeparam>
    /// <typeparam name="TOutput">What a call returns.</typeparam>
    /// <param name="model">The sequential specification.</param>
    /// <param name="operations">The recorded calls, in any order.</param>
    /// <param name="timeout">The time budget; <see cref="Timeout.InfiniteTimeSpan"/> for none. When it runs out the verdict is <see cref="LinearizabilityVerdict.Unknown"/>.</param>
    /// <param name="cancellationToken">Stops the check; the verdict is then <see cref="LinearizabilityVerdict.Unknown"/> (no exception).</param>
    /// <returns>The verdict and its report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="operations"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An operation is <see langword="null"/> or returned before it was called, the model lacks <c>Init</c> or <c>Step</c>, or its partition returned a <see langword="null"/> part or operation.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    /// <exception cref="InvalidOperationException">A function of the model threw (the exception is the inner one).</exception>
    public static LinearizabilityResult Check<TState, TInput, TOutput>(
        Model<TState, TInput, TOutput> model, IReadOnlyList<Operation<TInput, TOutput>> operations, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(operations);
        ValidateModel(model);
        ValidateTimeout(timeout);
        var index = new Dictionary<Operation<TInput, TOutput>, int>(operations.Count, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < operations.Count; i++)
        {
            Operation<TInput, TOutput> op = operations[i] ?? throw new ArgumentException(FormattableString.Invariant($"Operation {i} is null."), nameof(operations));
            if (op.Return is long r && r < op.Call)
            {
                throw new ArgumentException(FormattableString.Invariant($"Operation {i} returned ({r}) before it was called ({op.Call})."), nameof(operations));
            }

            index.TryAdd(op, i);
        }

        IReadOnlyList<Operation<TInput, TOutput>>[] parts = Partition(model, operations);
        long deadline = timeout == Timeout.InfiniteTimeSpan
            ? long.MaxValue
            : Stopwatch.GetTimestamp() + (long)Math.Min(timeout.TotalSeconds * Stopwatch.Frequency, long.MaxValue / 2);
        var stop = new StopSignal(deadline, cancellationToken);
        var outcomes = new SearchOutcome<TState>?[parts.Length];
        PartRunner.Run(parts.Length, p => outcomes[p] = CheckPart(model, parts[p], index, stop), stop);

        LinearizabilityVerdict verdict =
            outcomes.Any(o => o?.Verdict == SearchVerdict.NotLinearizable) ? LinearizabilityVerdict.NotLinearizable
            : outcomes.All(o => o?.Verdict == SearchVerdict.Linearizable) ? LinearizabilityVerdict.Linearizable
            : LinearizabilityVerdict.Unknown;
        bool timedOut = stop.TimedOut;
        return new LinearizabilityResult(verdict, () => Describe(model, parts, outcomes, index, verdict, operations.Count, timedOut));
    }

    /// <summary>Checks a history recorded as call and return events in real order (no clocks needed).</summary>
    /// <typeparam name="TState">The model's state.</typeparam>
    /// <typeparam name="TInput">What a call asks.</typeparam>
    /// <typeparam name="TOutput">What a call returns.</typeparam>
    /// <param name="model">The sequential specification.</param>
    /// <param name="events">The events in the order they happened; a call without a return event never returned.</param>
    /// <param name="timeout">The time budget; <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <returns>The verdict and its report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="events"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An event is <see langword="null"/>, an id is called twice, or a return has no earlier call with its id (or a different client); or as for the operation form.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    /// <exception cref="InvalidOperationException">A function of the model threw (the exception is the inner one).</exception>
    public static LinearizabilityResult CheckEvents<TState, TInput, TOutput>(
        Model<TState, TInput, TOutput> model, IReadOnlyList<HistoryEvent<TInput, TOutput>> events, TimeSpan timeout) =>
        CheckEvents(model, events, timeout, CancellationToken.None);

    /// <summary>Checks a history recorded as call and return events in real order, until the budget runs out or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <typeparam name="TState">The model's state.</typeparam>
    /// <typeparam name="TInput">What a call asks.</typeparam>
    /// <typeparam name="TOutput">What a call returns.</typeparam>
    /// <param name="model">The sequential specification.</param>
    /// <param name="events">The events in the order they happened; a call without a return event never returned.</param>
    /// <param name="timeout">The time budget; <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="cancellationToken">Stops the check; the verdict is then <see cref="LinearizabilityVerdict.Unknown"/>.</param>
    /// <returns>The verdict and its report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="events"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An event is <see langword="null"/>, an id is called twice, or a return has no earlier call with its id (or a different client); or as for the operation form.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is neither positive nor infinite.</exception>
    /// <exception cref="InvalidOperationException">A function of the model threw (the exception is the inner one).</exception>
    public static LinearizabilityResult CheckEvents<TState, TInput, TOutput>(
        Model<TState, TInput, TOutput> model, IReadOnlyList<HistoryEvent<TInput, TOutput>> events, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(events);
        return Check(model, ToOperations(events), timeout, cancellationToken);
    }

    internal static List<Operation<TInput, TOutput>> ToOperations<TInput, TOutput>(IReadOnlyList<HistoryEvent<TInput, TOutput>> events)
    {
        var calls = new Dictionary<int, (HistoryEvent<TInput, TOutput> Call, int Time, HistoryEvent<TInput, TOutput>? Return, int ReturnTime)>();
        var order = new List<int>();
        for (int t = 0; t < events.Count; t++)
        {
            HistoryEvent<TInput, TOutput> e = events[t] ?? throw new ArgumentException(FormattableString.Invariant($"Event {t} is null."), nameof(events));
            if (e.Kind == HistoryEventKind.Call)
            {
                if (!calls.TryAdd(e.Id, (e, t, null, -1)))
                {
                    throw new ArgumentException(FormattableString.Invariant($"Event {t} calls id {e.Id}, which was already called."), nameof(events));
                }

                order.Add(e.Id);
            }
            else if (e.Kind == HistoryEventKind.Return)
            {
                if (!calls.TryGetValue(e.Id, out var c) || c.Return is not null || c.Call.ClientId != e.ClientId)
                {
                    throw new ArgumentException(
                        FormattableString.Invariant($"Event {t} returns id {e.Id} (client {e.ClientId}), which has no earlier unreturned call by that client."),
                        nameof(events));
                }

                calls[e.Id] = (c.Call, c.Time, e, t);
            }
            else
            {
                throw new ArgumentException(FormattableString.Invariant($"Event {t} has an unknown kind {e.Kind}."), nameof(events));
            }
        }

        return order.ConvertAll(id =>
        {
            var c = calls[id];
            return new Operation<TInput, TOutput>
            {
                ClientId = c.Call.ClientId,
                Input = c.Call.Input,
                Call = c.Time,
                Output = c.Return is null ? default! : c.Return.Output,
                Return = c.Return is null ? null : c.ReturnTime,
            };
        });
    }

    private static void ValidateModel<TState, TInput, TOutput>(Model<TState, TInput, TOutput> model)
    {
        if (model.Init is null || model.Step is null)
        {
            throw new ArgumentException("The model needs both Init and Step.", nameof(model));
        }
    }

    private static void ValidateTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
        }
    }

    private static IReadOnlyList<Operation<TInput, TOutput>>[] Partition<TState, TInput, TOutput>(
        Model<TState, TInput, TOutput> model, IReadOnlyList<Operation<TInput, TOutput>> operations)
    {
        if (model.Partition is null)
        {
            return [operations];
        }

        IEnumerable<IReadOnlyList<Operation<TInput, TOutput>>> parts;
        try
        {
            parts = model.Partition(operations)?.ToArray() ?? throw new ArgumentException("The model's Partition returned null.", nameof(model));
        }
        catch (Exception ex) when (ex is not ArgumentException)
        {
            throw new InvalidOperationException("The model's Partition threw: " + ex.Message, ex);
        }

        IReadOnlyList<Operation<TInput, TOutput>>[] array = [.. parts];
        for (int p = 0; p < array.Length; p++)
        {
            if (array[p] is null || array[p].Any(o => o is null))
            {
                throw new ArgumentException(FormattableString.Invariant($"The model's Partition returned a null part or a null operation (part {p})."), nameof(model));
            }
        }

        return array;
    }

    private static SearchOutcome<TState> CheckPart<TState, TInput, TOutput>(
        Model<TState, TInput, TOutput> model, IReadOnlyList<Operation<TInput, TOutput>> part, Dictionary<Operation<TInput, TOutput>, int> index, StopSignal stop)
    {
        Operation<TInput, TOutput>[] calls = [.. part];
        Func<TState, TInput, TOutput, (bool Ok, TState Next)> step = model.Step;
        IEqualityComparer<TState> equality = model.Equal is null
            ? EqualityComparer<TState>.Default
            : new DelegateEquality<TState>(model.Equal, model.Hash);
        var search = new HistorySearch<TState>(
            calls.Length,
            i => calls[i].Call,
            i => calls[i].Return,
            (state, i) =>
            {
                try
                {
                    return step(state, calls[i].Input, calls[i].Output);
                }
                catch (Exception ex)
                {
                    throw new InvalidOperationException(FormattableString.Invariant($"The model's Step threw on operation {Where(calls[i], index)} ({calls[i]}): {ex.Message}"), ex);
                }
            },
            equality,
            hashStates: model.Equal is null || model.Hash is not null);
        TState initial = Call(model.Init, "Init");
        SearchOutcome<TState> outcome = search.Run(initial, stop);
        if (outcome.Verdict == SearchVerdict.NotLinearizable)
        {
            stop.Stop(); // the history is not linearizable whatever the other parts say
        }

        return outcome;
    }

    private static string Where<TInput, TOutput>(Operation<TInput, TOutput> op, Dictionary<Operation<TInput, TOutput>, int> index) =>
        index.TryGetValue(op, out int i) ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : "(not in the history)";

    private static T Call<T>(Func<T> function, string name)
    {
        try
        {
            return function();
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"The model's {name} threw: {ex.Message}", ex);
        }
    }

    private static HistoryReport Describe<TState, TInput, TOutput>(
        Model<TState, TInput, TOutput> model,
        IReadOnlyList<Operation<TInput, TOutput>>[] parts,
        SearchOutcome<TState>?[] outcomes,
        Dictionary<Operation<TInput, TOutput>, int> index,
        LinearizabilityVerdict verdict,
        int total,
        bool timedOut)
    {
        Func<TInput, TOutput, string>? describeCall = model.DescribeOperation;
        Func<TState, string> describeState = model.DescribeState ?? (s => ValueText.Format(s));
        var report = new List<ReportPart>(parts.Length);
        for (int p = 0; p < parts.Length; p++)
        {
            IReadOnlyList<Operation<TInput, TOutput>> part = parts[p];
            SearchOutcome<TState>? outcome = outcomes[p];
            ReportCall[] calls = part.Select(o => new ReportCall(
                index.TryGetValue(o, out int i) ? i : -1,
                o.ClientId,
                o.Call,
                o.Return,
                HtmlReport.Cut(describeCall is null
                    ? ValueText.Format(o.Input) + " -> " + (o.Return is null ? "?" : ValueText.Format(o.Output))
                    : Call(() => describeCall(o.Input, o.Output), "DescribeOperation")))).ToArray();
            report.Add(new ReportPart(
                p + 1,
                outcome?.Verdict,
                calls,
                outcome?.Order ?? [],
                outcome is null ? [] : outcome.StatesAfter.Select(s => HtmlReport.Cut(Call(() => describeState(s), "DescribeState"))).ToArray(),
                outcome?.Stuck ?? -1,
                HtmlReport.Cut(Call(() => describeState(model.Init()), "DescribeState"))));
        }

        // The failing part first, then undecided ones, then the rest, each group in partition order.
        report.Sort((a, b) => Rank(a).CompareTo(Rank(b)) is int c && c != 0 ? c : a.Number.CompareTo(b.Number));
        return new HistoryReport(verdict, report, total, timedOut);

        static int Rank(ReportPart part) => part.Verdict switch
        {
            SearchVerdict.NotLinearizable => 0,
            SearchVerdict.Linearizable => 2,
            _ => 1,
        };
    }

    private sealed class DelegateEquality<T>(Func<T, T, bool> equal, Func<T, int>? hash) : IEqualityComparer<T>
    {
        public bool Equals(T? x, T? y) => equal(x!, y!);

        public int GetHashCode(T obj) => hash is null ? 0 : hash(obj);
    }
}
