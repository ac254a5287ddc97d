using ThreadSafe.Testing.Histories;

namespace ThreadSafe.Testing.Tests.Histories;

/// <summary>
/// Histories of known verdicts shaped like Jepsen's (many clients, 80–250 calls per key, 10–20 calls that never
/// returned): correct ones must pass, ones with injected stale reads or lost writes must fail.
/// </summary>
public sealed class JepsenLikeHistoryTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(2);

    /// <summary>Each register history (seed and length) with each fault, and the verdict the fault must get.</summary>
    public static TheoryData<int, int, StoreFault, LinearizabilityVerdict> Registers
    {
        get
        {
            var data = new TheoryData<int, int, StoreFault, LinearizabilityVerdict>();
            foreach ((StoreFault fault, LinearizabilityVerdict verdict) in new[]
            {
                (StoreFault.None, LinearizabilityVerdict.Linearizable),
                (StoreFault.StaleRead, LinearizabilityVerdict.NotLinearizable),
                (StoreFault.LostWrite, LinearizabilityVerdict.NotLinearizable),
            })
            {
                data.Add(1, 80, fault, verdict);
                data.Add(2, 160, fault, verdict);
                data.Add(3, 250, fault, verdict);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Registers))]
    public void Check_Register_GetsTheKnownVerdict(int seed, int calls, StoreFault fault, LinearizabilityVerdict expected)
    {
        List<Operation<RegisterInput, int?>> history = JepsenLikeHistories.Generate(seed, keys: 1, calls, clients: 8, fault);
        AssertShape(history, calls);
        Assert.Equal(expected, Linearizability.Check(Register.Model, history, Budget).Verdict);
    }

    [Theory]
    [InlineData(StoreFault.None, LinearizabilityVerdict.Linearizable)]
    [InlineData(StoreFault.StaleRead, LinearizabilityVerdict.NotLinearizable)]
    [InlineData(StoreFault.LostWrite, LinearizabilityVerdict.NotLinearizable)]
    public void Check_KeyValueStoreOf8Keys_PartitionedByKey_GetsTheKnownVerdict(StoreFault fault, LinearizabilityVerdict expected)
    {
        List<Operation<RegisterInput, int?>> history = JepsenLikeHistories.Generate(11, keys: 8, callsPerKey: 150, clients: 20, fault);
        Assert.All(history.GroupBy(o => o.Input.Key), key => Assert.InRange(key.Count(), 80, 250));
        Assert.InRange(history.Count(o => o.Return is null), 10, 20);
        LinearizabilityResult result = Linearizability.Check(Register.PartitionedByKey, history, Budget);
        Assert.Equal(expected, result.Verdict);
    }

    [Fact]
    public void Generate_FaultyHistory_WitnessIsAReadThatReallyCannotBeExplained()
    {
        // The known verdict rests on the witness: removing the witness read must leave a history the fault
        // shows elsewhere or not at all, and the clean simulation of the same shape has no witness.
        List<Operation<RegisterInput, int?>> bad = JepsenLikeHistories.Generate(5, keys: 1, 60, clients: 4, StoreFault.StaleRead);
        Operation<RegisterInput, int?> witness = JepsenLikeHistories.Witness(bad)!;
        Assert.NotNull(witness);
        Assert.Null(JepsenLikeHistories.Witness(JepsenLikeHistories.Generate(5, keys: 1, 60, clients: 4, StoreFault.None)));
        var tiny = bad.Where(o => o.Call <= witness.Call).ToList();
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, Linearizability.Check(Register.Model, tiny, Budget).Verdict);
    }

    private static void AssertShape(List<Operation<RegisterInput, int?>> history, int calls)
    {
        Assert.Equal(calls, history.Count);
        Assert.InRange(history.Count(o => o.Return is null), 10, 20);
        Assert.True(history.Select(o => o.ClientId).Distinct().Count() >= 8);
    }
}
