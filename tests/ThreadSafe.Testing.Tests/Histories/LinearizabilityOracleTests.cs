using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ThreadSafe.Testing.Histories;

namespace ThreadSafe.Testing.Tests.Histories;

/// <summary>
/// <see cref="Linearizability.Check{TState, TInput, TOutput}(Model{TState, TInput, TOutput}, IReadOnlyList{Operation{TInput, TOutput}}, TimeSpan)"/>
/// against a brute-force oracle that tries every subset of the calls that never returned and every order:
/// the same verdict on every small random history, partitioned or not.
/// </summary>
public sealed class LinearizabilityOracleTests
{
    [Property(MaxTest = 1500, Replay = "(20261129,1)", QuietOnSuccess = true)]
    public Property Check_RandomSmallHistory_AgreesWithBruteForce() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            List<Operation<RegisterInput, int?>> history = RandomHistory(seed, keys: 1);
            return Verdict(Linearizability.Check(Register.Model, history, TimeSpan.FromSeconds(30))) == BruteForce(history, Register.Model);
        });

    [Property(MaxTest = 1000, Replay = "(20261129,3)", QuietOnSuccess = true)]
    public Property Check_PartitionedByKey_AgreesWithBruteForceOnTheWholeState() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            List<Operation<RegisterInput, int?>> history = RandomHistory(seed, keys: 2);
            return Verdict(Linearizability.Check(Register.PartitionedByKey, history, TimeSpan.FromSeconds(30))) == BruteForce(history, Register.TwoKeys);
        });

    [Fact]
    public void Check_SampledHistories_AgreeWithBruteForceAndCoverBothVerdictsAndPendingCalls()
    {
        // The properties are only as strong as their histories: both verdicts, and calls that never returned
        // deciding the verdict (the same history minus those calls gets the other verdict) must occur.
        int accepted = 0, rejected = 0, pendingMattered = 0;
        for (int seed = 0; seed < 2000; seed++)
        {
            List<Operation<RegisterInput, int?>> history = RandomHistory(seed, keys: 1);
            bool expected = BruteForce(history, Register.Model);
            Assert.Equal(expected, Verdict(Linearizability.Check(Register.Model, history, TimeSpan.FromSeconds(30))));
            (expected ? ref accepted : ref rejected)++;
            if (expected && !BruteForce(history.Where(o => o.Return is not null).ToList(), Register.Model))
            {
                pendingMattered++;
            }
        }

        Assert.InRange(accepted, 200, 1800);
        Assert.InRange(rejected, 200, 1800);
        Assert.True(pendingMattered >= 20, $"only {pendingMattered} histories needed a call that never returned");
    }

    private static bool Verdict(LinearizabilityResult result) =>
        result.Verdict switch
        {
            LinearizabilityVerdict.Linearizable => true,
            LinearizabilityVerdict.NotLinearizable => false,
            _ => throw new InvalidOperationException("no verdict on a small history"),
        };

    // 1–7 calls on small values with overlapping intervals; about one in five never returned (output unknown).
    internal static List<Operation<RegisterInput, int?>> RandomHistory(int seed, int keys)
    {
        var random = new Random(seed);
        int n = random.Next(1, 8);
        var history = new List<Operation<RegisterInput, int?>>();
        for (int i = 0; i < n; i++)
        {
            char op = "wrc"[random.Next(3)];
            var input = new RegisterInput(op, random.Next(3), random.Next(3), random.Next(keys));
            long call = (random.Next(8) * 4L) + random.Next(2);
            long? ret = random.Next(5) == 0 ? null : call + (random.Next(4) * 4L) + random.Next(3);
            int? output = ret is null || op == 'w' ? null : op == 'r' ? random.Next(3) : random.Next(2);
            history.Add(Register.Op(random.Next(3), input, call, output, ret));
        }

        return history;
    }

    // Every order of every subset of the calls that never returned (with all calls that returned), prefix by
    // prefix: a prefix is extended by a call only if no unplaced call of the subset returned before it was
    // called and the model accepts it. No cache, no event list: an independent oracle.
    internal static bool BruteForce<TState>(List<Operation<RegisterInput, int?>> history, Model<TState, RegisterInput, int?> model)
    {
        int[] pending = Enumerable.Range(0, history.Count).Where(i => history[i].Return is null).ToArray();
        for (int mask = 0; mask < 1 << pending.Length; mask++)
        {
            var chosen = Enumerable.Range(0, history.Count)
                .Where(i => history[i].Return is not null || ((mask >> Array.IndexOf(pending, i)) & 1) == 1).ToList();
            if (Extend(model.Init(), chosen))
            {
                return true;
            }
        }

        return false;

        bool Extend(TState state, List<int> left)
        {
            if (left.Count == 0)
            {
                return true;
            }

            foreach (int i in left)
            {
                if (left.Any(j => history[j].Return is long r && r < history[i].Call))
                {
                    continue; // a call still unplaced returned before this one was called
                }

                (bool ok, TState next) = model.Step(state, history[i].Input, history[i].Output);
                if (ok && Extend(next, left.Where(j => j != i).ToList()))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
