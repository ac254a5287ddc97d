using ThreadSafe.Testing.Histories;

namespace ThreadSafe.Testing;

/// <summary>
/// Decides whether a history of completed calls of a <see cref="LinearizabilitySpec{TSut, TModel}"/> is
/// linearizable: whether some sequential order that respects real time (a call that responded before another
/// was invoked comes first) gives every call, run on the model, the result it actually returned.
/// </summary>
/// <remarks>
/// The search is <see cref="HistorySearch{TState}"/>, the one behind <see cref="Linearizability"/>: iterative,
/// memoized, with no limit on the number of calls. Model states are compared with the given comparer; a
/// comparer that only knows references is still correct, it only caches less. A model that throws says the
/// call cannot happen in that state.
/// </remarks>
internal sealed class LinearizabilityChecker<TSut, TModel>
{
    private readonly IReadOnlyList<OperationDefinition<TSut, TModel>> _operations;
    private readonly IEqualityComparer<TModel> _modelEquality;

    public LinearizabilityChecker(IReadOnlyList<OperationDefinition<TSut, TModel>> operations, IEqualityComparer<TModel> modelEquality)
    {
        _operations = operations;
        _modelEquality = new NullSafeEquality(modelEquality);
    }

    /// <summary>Checks <paramref name="history"/> against the model starting at <paramref name="initial"/>.</summary>
    public bool IsLinearizable(HistoryEntry[] history, TModel initial)
    {
        var search = new HistorySearch<TModel>(
            history.Length,
            i => history[i].Invoked,
            i => history[i].Responded,
            (model, i) => Step(model, history[i], checkResult: true),
            _modelEquality,
            hashStates: true);
        return search.Run(initial, stop: null).Verdict == SearchVerdict.Linearizable;
    }

    /// <summary>
    /// Checks whether the model can run every call of a scenario (results are ignored) in some order its
    /// shape allows: the prefix in order, then the threads' calls interleaved (each thread in its order),
    /// then the suffix in order. A scenario without such an order must block, so it is not worth running.
    /// </summary>
    /// <remarks>
    /// A depth-first search over the threads' positions with an explicit stack, memoized on
    /// (positions, model state) like the history search.
    /// </remarks>
    public bool IsFeasible(HistoryEntry[] prefix, HistoryEntry[][] threads, HistoryEntry[] suffix, TModel initial)
    {
        if (!RunInOrder(prefix, ref initial))
        {
            return false;
        }

        var seen = new HashSet<(string Positions, TModel Model)>(new PositionsEquality(_modelEquality));
        var stack = new Stack<(int[] Positions, TModel Model)>();
        stack.Push((new int[threads.Length], initial));
        while (stack.Count > 0)
        {
            (int[] positions, TModel model) = stack.Pop();
            if (!seen.Add((string.Join(",", positions), model)))
            {
                continue;
            }

            bool done = true;
            for (int t = threads.Length - 1; t >= 0; t--)
            {
                if (positions[t] == threads[t].Length)
                {
                    continue;
                }

                done = false;
                (bool ok, TModel next) = Step(model, threads[t][positions[t]], checkResult: false);
                if (ok)
                {
                    int[] advanced = (int[])positions.Clone();
                    advanced[t]++;
                    stack.Push((advanced, next));
                }
            }

            TModel end = model;
            if (done && RunInOrder(suffix, ref end))
            {
                return true;
            }
        }

        return false;
    }

    private bool RunInOrder(HistoryEntry[] calls, ref TModel model)
    {
        foreach (HistoryEntry call in calls)
        {
            (bool ok, TModel next) = Step(model, call, checkResult: false);
            if (!ok)
            {
                return false;
            }

            model = next;
        }

        return true;
    }

    internal (bool Ok, TModel Next) Step(TModel model, in HistoryEntry entry, bool checkResult)
    {
        OperationDefinition<TSut, TModel> op = _operations[entry.Operation];
        object? expected;
        TModel next;
        try
        {
            (expected, next) = op.Model(model, entry.Argument);
        }
        catch (Exception)
        {
            return (false, model);
        }

        return (!checkResult || op.ResultsEqual(expected, entry.Result), next);
    }

    private sealed class NullSafeEquality(IEqualityComparer<TModel> model) : IEqualityComparer<TModel>
    {
        public bool Equals(TModel? x, TModel? y) => model.Equals(x, y);

        public int GetHashCode(TModel obj) => obj is null ? 0 : model.GetHashCode(obj);
    }

    private sealed class PositionsEquality(IEqualityComparer<TModel> model) : IEqualityComparer<(string Positions, TModel Model)>
    {
        public bool Equals((string Positions, TModel Model) x, (string Positions, TModel Model) y) =>
            x.Positions == y.Positions && model.Equals(x.Model, y.Model);

        public int GetHashCode((string Positions, TModel Model) obj) => HashCode.Combine(obj.Positions, model.GetHashCode(obj.Model!));
    }
}
