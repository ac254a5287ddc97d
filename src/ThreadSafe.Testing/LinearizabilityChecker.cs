using System.Diagnostics;
using System.Numerics;

namespace ThreadSafe.Testing;

/// <summary>
/// Decides whether a history of at most 64 completed calls is linearizable: whether some sequential
/// order that respects real time (a call that responded before another was invoked comes first)
/// gives every call, run on the model, the result it actually returned.
/// </summary>
/// <remarks>
/// The search is Wing and Gong's, with Lowe's memoization (as in Porcupine): a depth-first search over
/// the calls that may come next (every call that finished before them is already placed), pruned by a
/// cache of the (set of placed calls, model state) pairs already explored. The set is a 64-bit mask.
/// Model states are compared with the given comparer; a comparer that only knows references is still
/// correct, it only caches less.
/// </remarks>
internal sealed class LinearizabilityChecker<TSut, TModel>
{
    private readonly IReadOnlyList<OperationDefinition<TSut, TModel>> _operations;
    private readonly HashSet<(ulong Done, TModel Model)> _explored;
    private HistoryEntry[] _history = [];
    private ulong[] _mustPrecede = [];
    private ulong _all;
    private bool _checkResults;

    public LinearizabilityChecker(IReadOnlyList<OperationDefinition<TSut, TModel>> operations, IEqualityComparer<TModel> modelEquality)
    {
        _operations = operations;
        _explored = new HashSet<(ulong, TModel)>(new StateEquality(modelEquality));
    }

    /// <summary>Checks <paramref name="history"/> against the model starting at <paramref name="initial"/>.</summary>
    public bool IsLinearizable(HistoryEntry[] history, TModel initial)
    {
        int n = history.Length;
        if (n > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(history), n, "The checker handles at most 64 calls per history.");
        }

        _history = history;
        if (_mustPrecede.Length < n)
        {
            _mustPrecede = new ulong[n];
        }

        for (int i = 0; i < n; i++)
        {
            ulong before = 0;
            for (int j = 0; j < n; j++)
            {
                if (history[j].Responded < history[i].Invoked)
                {
                    before |= 1UL << j;
                }
            }

            _mustPrecede[i] = before;
        }

        return Run(n, initial, checkResults: true);
    }

    /// <summary>
    /// Checks whether the model can run every call of <paramref name="calls"/> in some order allowed by
    /// <paramref name="mustPrecede"/> without refusing one (results are ignored): a scenario without such an
    /// order must block, so it is not worth running.
    /// </summary>
    public bool IsFeasible(HistoryEntry[] calls, ulong[] mustPrecede, TModel initial)
    {
        _history = calls;
        _mustPrecede = mustPrecede;
        return Run(calls.Length, initial, checkResults: false);
    }

    private bool Run(int n, TModel initial, bool checkResults)
    {
        _checkResults = checkResults;
        _all = n == 64 ? ulong.MaxValue : (1UL << n) - 1;
        _explored.Clear();
        return Search(0, initial);
    }

    private bool Search(ulong done, TModel model)
    {
        if (done == _all)
        {
            return true;
        }

        // A state met again was explored before and failed: success returns at once up the stack.
        if (!_explored.Add((done, model)))
        {
            return false;
        }

        ulong open = _all & ~done;
        while (open != 0)
        {
            int i = BitOperations.TrailingZeroCount(open);
            open &= open - 1;
            if ((_mustPrecede[i] & ~done) != 0)
            {
                continue;
            }

            ref HistoryEntry entry = ref _history[i];
            OperationDefinition<TSut, TModel> op = _operations[entry.Operation];
            object? expected;
            TModel next;
            try
            {
                (expected, next) = op.Model(model, entry.Argument);
            }
#pragma warning disable CA1031 // A model that throws says the call cannot happen in this state.
            catch (Exception)
#pragma warning restore CA1031
            {
                continue;
            }

            if (_checkResults && !op.ResultsEqual(expected, entry.Result))
            {
                continue;
            }

            if (Search(done | (1UL << i), next))
            {
                return true;
            }
        }

        Debug.Assert(done != _all, "A complete order returns true before the loop.");
        return false;
    }

    private sealed class StateEquality(IEqualityComparer<TModel> model) : IEqualityComparer<(ulong Done, TModel Model)>
    {
        public bool Equals((ulong Done, TModel Model) x, (ulong Done, TModel Model) y) =>
            x.Done == y.Done && model.Equals(x.Model, y.Model);

        public int GetHashCode((ulong Done, TModel Model) obj) =>
            HashCode.Combine(obj.Done, obj.Model is null ? 0 : model.GetHashCode(obj.Model));
    }
}
