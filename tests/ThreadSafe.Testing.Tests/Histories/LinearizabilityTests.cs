using ThreadSafe.Testing.Histories;
using static ThreadSafe.Testing.Tests.Histories.Register;

namespace ThreadSafe.Testing.Tests.Histories;

public sealed class LinearizabilityTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);

    [Fact]
    public void Check_ReadsOverlappingAWrite_SeeOldThenNewValue_IsLinearizable()
    {
        // Porcupine's first register example: a write of 100 overlaps two reads; 100 then 0 would be impossible.
        Operation<RegisterInput, int?>[] ok =
        [
            Op(0, new('w', 100, 0), 0, null, 100),
            Op(1, new('r', 0, 0), 25, 100, 75),
            Op(2, new('r', 0, 0), 30, 0, 60),
        ];
        Assert.Equal(LinearizabilityVerdict.Linearizable, Linearizability.Check(Model, ok, Budget).Verdict);

        Operation<RegisterInput, int?>[] bad =
        [
            Op(0, new('w', 200, 0), 0, null, 100),
            Op(1, new('r', 0, 0), 10, 200, 30),
            Op(2, new('r', 0, 0), 40, 0, 90),
        ];
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, Linearizability.Check(Model, bad, Budget).Verdict);
    }

    [Fact]
    public void Check_CallThatNeverReturned_MayTakeEffectLateOrNever()
    {
        // The write never returned: a read long after it may see it or not, but once seen it stays.
        Operation<RegisterInput, int?> write = Op(0, new('w', 7, 0), 0, null, null);
        Assert.Equal(LinearizabilityVerdict.Linearizable, Linearizability.Check(Model, [write, Op(1, new('r', 0, 0), 50, 7, 60)], Budget).Verdict);
        Assert.Equal(LinearizabilityVerdict.Linearizable, Linearizability.Check(Model, [write, Op(1, new('r', 0, 0), 50, 0, 60)], Budget).Verdict);
        Assert.Equal(
            LinearizabilityVerdict.NotLinearizable,
            Linearizability.Check(Model, [write, Op(1, new('r', 0, 0), 50, 7, 60), Op(1, new('r', 0, 0), 70, 0, 80)], Budget).Verdict);

        // It cannot take effect before it was called.
        Assert.Equal(
            LinearizabilityVerdict.NotLinearizable,
            Linearizability.Check(Model, [Op(1, new('r', 0, 0), 0, 7, 10), Op(0, new('w', 7, 0), 20, null, null)], Budget).Verdict);
    }

    [Fact]
    public void Check_TenThousandSequentialCalls_IsLinearizableWithoutDeepRecursion()
    {
        // One placed call per level: a recursive search would need 10,000 frames; the bitset spans 157 words.
        var history = new List<Operation<RegisterInput, int?>>();
        for (int i = 0; i < 10_000; i++)
        {
            history.Add(i % 2 == 0 ? Op(i % 4, new('w', i, 0), 2L * i, null, (2L * i) + 1) : Op(i % 4, new('r', 0, 0), 2L * i, i - 1, (2L * i) + 1));
        }

        Assert.Equal(LinearizabilityVerdict.Linearizable, Linearizability.Check(Model, history, Budget).Verdict);
        history[^1] = Op(3, new('r', 0, 0), 2L * 9_999, 12345, (2L * 9_999) + 1);
        LinearizabilityResult result = Linearizability.Check(Model, history, Budget);
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        Assert.Contains("longest linearizable prefix has 9999 of 10000 calls", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BudgetTooSmall_SaysUnknown()
    {
        LinearizabilityResult result = Linearizability.Check(Model, HardHistory(), TimeSpan.FromMilliseconds(20));
        Assert.Equal(LinearizabilityVerdict.Unknown, result.Verdict);
        Assert.Contains("time budget ran out", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Cancelled_SaysUnknown()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        LinearizabilityResult result = Linearizability.Check(Model, HardHistory(), Timeout.InfiniteTimeSpan, cancelled.Token);
        Assert.Equal(LinearizabilityVerdict.Unknown, result.Verdict);
        Assert.Contains("cancelled", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PartitionedWithOneHardPart_BudgetRunsOut_SaysUnknownAndDecidesTheEasyParts()
    {
        // Keys 1 to 30 hold one write and one read each, all linearizable, and come first; key 0 is the hard history.
        var history = new List<Operation<RegisterInput, int?>>();
        for (int key = 1; key <= 30; key++)
        {
            history.Add(Op(100 + key, new('w', key, 0, key), 0, null, 10));
            history.Add(Op(100 + key, new('r', 0, 0, key), 20, key, 30));
        }

        history.AddRange(HardHistory());

        LinearizabilityResult result = Linearizability.Check(PartitionedByKey, history, TimeSpan.FromSeconds(1));

        Assert.Equal(LinearizabilityVerdict.Unknown, result.Verdict);
        Assert.Contains("time budget ran out", result.ToString(), StringComparison.Ordinal);
        Assert.Contains("(1 of 31 parts undecided", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PartitionedHistory_FailsOnTheBadKeyOnlyAndNamesIt()
    {
        var history = new List<Operation<RegisterInput, int?>>();
        for (int key = 0; key < 20; key++)
        {
            history.Add(Op(key, new('w', key + 1, 0, key), 0, null, 10));
            history.Add(Op(key, new('r', 0, 0, key), 20, key == 13 ? 0 : key + 1, 30));
        }

        LinearizabilityResult result = Linearizability.Check(PartitionedByKey, history, Budget);
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        Assert.Contains("read(k13) -> 0", result.ToString(), StringComparison.Ordinal);
        history.RemoveAt(27);
        Assert.Equal(LinearizabilityVerdict.Linearizable, Linearizability.Check(PartitionedByKey, history, Budget).Verdict);
    }

    [Fact]
    public void CheckEvents_CallsAndReturnsInRealOrder_AreCheckedLikeOperations()
    {
        HistoryEvent<RegisterInput, int?>[] events =
        [
            new() { Kind = HistoryEventKind.Call, ClientId = 0, Id = 0, Input = new('w', 1, 0) },
            new() { Kind = HistoryEventKind.Call, ClientId = 1, Id = 1, Input = new('r', 0, 0) },
            new() { Kind = HistoryEventKind.Return, ClientId = 1, Id = 1, Output = 1 },
            new() { Kind = HistoryEventKind.Return, ClientId = 0, Id = 0 },
            new() { Kind = HistoryEventKind.Call, ClientId = 1, Id = 2, Input = new('r', 0, 0) },
            new() { Kind = HistoryEventKind.Return, ClientId = 1, Id = 2, Output = 0 },
        ];
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, Linearizability.CheckEvents(Model, events, Budget).Verdict);
        Assert.Equal(LinearizabilityVerdict.Linearizable, Linearizability.CheckEvents(Model, events[..5], Budget).Verdict);
    }

    [Fact]
    public void CheckEvents_ReturnWithoutCall_ThrowsNamingTheEvent()
    {
        HistoryEvent<RegisterInput, int?>[] events = [new() { Kind = HistoryEventKind.Return, ClientId = 0, Id = 4, Output = 1 }];
        ArgumentException ex = Assert.Throws<ArgumentException>("events", () => Linearizability.CheckEvents(Model, events, Budget));
        Assert.Contains("Event 0 returns id 4", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BadInput_ThrowsSpecificExceptions()
    {
        Assert.Throws<ArgumentNullException>("model", () => Linearizability.Check<int, RegisterInput, int?>(null!, [], Budget));
        Assert.Throws<ArgumentNullException>("operations", () => Linearizability.Check(Model, null!, Budget));
        Assert.Throws<ArgumentOutOfRangeException>("timeout", () => Linearizability.Check(Model, [], TimeSpan.Zero));
        ArgumentException ex = Assert.Throws<ArgumentException>("operations", () => Linearizability.Check(Model, [Op(0, new('r', 0, 0), 10, 0, 5)], Budget));
        Assert.Contains("Operation 0 returned (5) before it was called (10)", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>("operations", () => Linearizability.Check(Model, [null!], Budget));
    }

    [Fact]
    public void Check_StepThrows_ThrowsNamingTheOperationNotAVerdict()
    {
        var broken = new Model<int, RegisterInput, int?>
        {
            Init = () => 0,
            Step = (s, i, o) => i.Op == 'c' ? throw new FormatException("no cas") : Register.Step(s, i, o),
            Partition = h => [h.Take(1).ToList(), h.Skip(1).ToList()],
        };
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() =>
            Linearizability.Check(broken, [Op(0, new('w', 1, 0), 0, null, 1), Op(0, new('c', 1, 2), 2, 1, 3)], Budget));
        Assert.IsType<FormatException>(ex.InnerException);
        Assert.Contains("operation 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_EmptyOrAllPending_IsLinearizable()
    {
        Assert.Equal(LinearizabilityVerdict.Linearizable, Linearizability.Check(Model, [], Budget).Verdict);
        Assert.Equal(LinearizabilityVerdict.Linearizable, Linearizability.Check(Model, [Op(0, new('r', 0, 0), 0, 5, null)], Budget).Verdict);
    }

    [Fact]
    public void Check_EqualWithoutHash_IsStillCorrect()
    {
        var model = new Model<int, RegisterInput, int?> { Init = () => 0, Step = Register.Step, Equal = (a, b) => a == b };
        for (int seed = 0; seed < 300; seed++)
        {
            List<Operation<RegisterInput, int?>> history = LinearizabilityOracleTests.RandomHistory(seed, keys: 1);
            Assert.Equal(
                LinearizabilityOracleTests.BruteForce(history, Model),
                Linearizability.Check(model, history, Budget).Verdict == LinearizabilityVerdict.Linearizable);
        }
    }

    // Many concurrent writes of distinct values and a read of a value never written at the end: the search must
    // try every order of the writes (the states differ, so the cache cannot cut it short) before giving up.
    internal static List<Operation<RegisterInput, int?>> HardHistory()
    {
        var history = new List<Operation<RegisterInput, int?>>();
        for (int i = 0; i < 40; i++)
        {
            history.Add(Op(i, new('w', i + 1, 0), i, null, 1000 + i));
            history.Add(Op(i, new('r', 0, 0), 100 + i, -1, 2000 + i));
        }

        return history;
    }
}
