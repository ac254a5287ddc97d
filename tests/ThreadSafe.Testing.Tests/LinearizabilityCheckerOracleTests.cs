using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ThreadSafe.Testing.Tests;

/// <summary>
/// The memoized checker against a brute-force oracle that tries every permutation of a small random
/// history: both must give the same verdict, so the search and its cache can neither accept a
/// non-linearizable history nor reject a linearizable one.
/// </summary>
public sealed class LinearizabilityCheckerOracleTests
{
    // A register with a write, a read, an increment returning the new value, and a take that cannot
    // complete on 0 (its model throws): every path of the search is exercised.
    private static readonly LinearizabilitySpec<object, int> Spec = new LinearizabilitySpec<object, int>(() => new object(), () => 0)
        .Command("Write", Gen.Choose(0, 2), (_, _) => { }, (_, x) => x)
        .Operation("Read", _ => 0, m => (m, m))
        .Operation("Inc", _ => 0, m => (m + 1, m + 1))
        .Operation("Take", _ => 0, m => m == 0 ? throw new InvalidOperationException("empty") : (m, 0));

    private static readonly List<OperationDefinition<object, int>> Ops = Spec.Operations;

    [Property(MaxTest = 3000, Replay = "(20261124,1)", QuietOnSuccess = true)]
    public Property IsLinearizable_RandomSmallHistory_AgreesWithBruteForce() =>
        Prop.ForAll(Arb.From(Histories()), history =>
        {
            bool memoized = new LinearizabilityChecker<object, int>(Ops, EqualityComparer<int>.Default).IsLinearizable(history, 0);
            return memoized == BruteForce(history);
        });

    [Fact]
    public void IsLinearizable_SampledHistories_AgreeWithBruteForceAndCoverBothVerdicts()
    {
        // The property above is only as strong as its histories: prove they include both verdicts.
        // FsCheck's Gen.Sample(generator, count, seed, size): the first number is how many values.
        HistoryEntry[][] histories = Gen.Sample(Histories(), 2000, new Rnd(20261124UL), 10).ToArray();
        Assert.Equal(2000, histories.Length);
        int accepted = 0;
        foreach (HistoryEntry[] history in histories)
        {
            bool expected = BruteForce(history);
            Assert.Equal(expected, new LinearizabilityChecker<object, int>(Ops, EqualityComparer<int>.Default).IsLinearizable(history, 0));
            accepted += expected ? 1 : 0;
        }

        Assert.InRange(accepted, 100, histories.Length - 100);
    }

    // 1–6 calls with random overlapping intervals; times are unique (time * 64 + 2 * index, +1 for a
    // response) like the shared counter's, and results are drawn from a small range so some histories
    // are linearizable and some are not.
    private static Gen<HistoryEntry[]> Histories()
    {
        Gen<Func<int, HistoryEntry>> call =
            from op in Gen.Choose(0, 3)
            from value in Gen.Choose(0, 3)
            from start in Gen.Choose(0, 6)
            from length in Gen.Choose(0, 4)
            select (Func<int, HistoryEntry>)(index => new HistoryEntry
            {
                Operation = op,
                Argument = op == 0 ? Math.Min(value, 2) : null,
                Result = op == 0 ? null : value,
                Invoked = (start * 64L) + (2L * index),
                Responded = ((start + length) * 64L) + (2L * index) + 1,
            });
        return Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(call, n))
            .Select(calls => calls.Select((make, index) => make(index)).ToArray());
    }

    // Tries every order of the calls: one that respects real time and gives every call its result.
    private static bool BruteForce(HistoryEntry[] history)
    {
        var used = new bool[history.Length];
        var order = new int[history.Length];
        return Place(0);

        bool Place(int position)
        {
            if (position == history.Length)
            {
                return Explains(order, history);
            }

            for (int i = 0; i < history.Length; i++)
            {
                if (!used[i])
                {
                    used[i] = true;
                    order[position] = i;
                    bool found = Place(position + 1);
                    used[i] = false;
                    if (found)
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }

    private static bool Explains(int[] order, HistoryEntry[] history)
    {
        for (int p = 0; p < order.Length; p++)
        {
            for (int q = p + 1; q < order.Length; q++)
            {
                if (history[order[q]].Responded < history[order[p]].Invoked)
                {
                    return false; // A later call in the order finished before an earlier one started.
                }
            }
        }

        int model = 0;
        foreach (int i in order)
        {
            OperationDefinition<object, int> op = Ops[history[i].Operation];
            object? expected;
            try
            {
                (expected, model) = op.Model(model, history[i].Argument);
            }
            catch (InvalidOperationException)
            {
                return false;
            }

            if (!op.ResultsEqual(expected, history[i].Result))
            {
                return false;
            }
        }

        return true;
    }
}
