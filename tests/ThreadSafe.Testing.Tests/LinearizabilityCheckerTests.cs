using FsCheck.Fluent;

namespace ThreadSafe.Testing.Tests;

/// <summary>The checker on hand-written histories of a register (Write(x), Read() -> x).</summary>
public sealed class LinearizabilityCheckerTests
{
    private static readonly LinearizabilitySpec<object, int> Register = new LinearizabilitySpec<object, int>(() => new object(), () => 0)
        .Command("Write", Gen.Choose(0, 9), (_, _) => { }, (_, x) => x)
        .Operation("Read", _ => 0, m => (m, m));

    private static readonly List<OperationDefinition<object, int>> Ops = Register.Operations;

    [Fact]
    public void IsLinearizable_OverlappingWriteAndRead_AcceptsEitherOrder()
    {
        // Write(1) [1,4] overlaps Read [2,3]: the read may see 0 or 1.
        Assert.True(Check(Write(1, 1, 4), Read(0, 2, 3)));
        Assert.True(Check(Write(1, 1, 4), Read(1, 2, 3)));
    }

    [Fact]
    public void IsLinearizable_ReadAfterWriteCompleted_MustSeeTheWrite()
    {
        // Write(1) [1,2] responded before Read [3,4] was invoked: real time forbids reading 0.
        Assert.False(Check(Write(1, 1, 2), Read(0, 3, 4)));
        Assert.True(Check(Write(1, 1, 2), Read(1, 3, 4)));
    }

    [Fact]
    public void IsLinearizable_ValueNeverWritten_IsRejected() =>
        Assert.False(Check(Write(1, 1, 4), Write(2, 2, 5), Read(3, 3, 6)));

    [Fact]
    public void IsLinearizable_NewThenOldValue_IsRejected()
    {
        // Two sequential reads by one thread during one write: 1 then 0 is impossible.
        Assert.False(Check(Write(1, 1, 10), Read(1, 2, 3), Read(0, 4, 5)));
        Assert.True(Check(Write(1, 1, 10), Read(0, 2, 3), Read(1, 4, 5)));
    }

    [Fact]
    public void IsLinearizable_SixtyFourCalls_IsHandled()
    {
        HistoryEntry[] calls = Enumerable.Range(0, 64).Select(i => i % 2 == 0 ? Write(i, 2 * i, (2 * i) + 1) : Read(i - 1, 2 * i, (2 * i) + 1)).ToArray();
        Assert.True(Check(calls));
    }

    private static bool Check(params HistoryEntry[] history) =>
        new LinearizabilityChecker<object, int>(Ops, EqualityComparer<int>.Default).IsLinearizable(history, 0);

    private static HistoryEntry Write(int x, long invoked, long responded) =>
        new() { Operation = 0, Argument = x, Invoked = invoked, Responded = responded };

    private static HistoryEntry Read(int result, long invoked, long responded) =>
        new() { Operation = 1, Result = result, Invoked = invoked, Responded = responded };
}
