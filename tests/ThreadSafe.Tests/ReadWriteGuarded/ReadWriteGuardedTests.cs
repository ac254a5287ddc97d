using ThreadSafe.Tests.Contracts;

namespace ThreadSafe.Tests.ReadWriteGuarded;

/// <summary>
/// Single-threaded behaviour and misuse of what only <see cref="ReadWriteGuarded{T}"/> has (TryRead, TryWrite, the gate);
/// what every guard does is checked by <see cref="Contracts.ReadWriteGuardedContractTests"/>.
/// </summary>
public sealed class ReadWriteGuardedTests
{
    [Fact]
    public void TryRead_Uncontended_RunsAndReturnsResult()
    {
        var guard = new ReadWriteGuarded<string>("abc");
        Assert.True(guard.TryRead(s => s.Length, TimeSpan.Zero, out int length));
        Assert.Equal(3, length);
    }

    [Fact]
    public void TryWrite_Uncontended_RunsAndReturnsTrue()
    {
        var guard = new ReadWriteGuarded<List<int>>([]);
        Assert.True(guard.TryWrite(l => l.Add(1), TimeSpan.Zero));
        Assert.True(guard.TryWrite(l => l.Add(2), TimeSpan.FromSeconds(1)));
        Assert.Equal(new[] { 1, 2 }, guard.Read(l => l.ToArray()));
    }

    [Fact]
    public void ToString_NamesTypeAndValueType()
    {
        Assert.Matches(@"^ReadWriteGuarded<int>#\d+$", new ReadWriteGuarded<int>(0).ToString());
        Assert.Equal("prices", new ReadWriteGuarded<int>(0, name: "prices").ToString());
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new ReadWriteGuarded<int>(0, name: " ")).ParamName);
    }

    [Fact]
    public void TryReadAndTryWrite_NullDelegate_ThrowArgumentNullWithParameterName()
    {
        var guard = new ReadWriteGuarded<int>(0, copy: v => v);
        Assert.Equal("read", Assert.Throws<ArgumentNullException>(() => guard.TryRead<int>(null!, TimeSpan.Zero, out _)).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => guard.TryWrite(null!, TimeSpan.Zero)).ParamName);
    }

    [Fact]
    public void TryReadAndTryWrite_AsyncDelegate_AreRefusedBeforeTheyRun()
    {
        var guard = new ReadWriteGuarded<Pair>(new Pair());
        Assert.Equal("read", Assert.Throws<ArgumentException>(() => guard.TryRead(async p => { await Task.Yield(); return p.A; }, TimeSpan.Zero, out _)).ParamName);
        var boxes = new ReadWriteGuarded<GuardContractTests.Box>(new GuardContractTests.Box());
        Assert.Equal("write", Assert.Throws<ArgumentException>(() => boxes.TryWrite(GuardContractTests.AsyncVoidWrite, TimeSpan.Zero)).ParamName);
        Assert.Equal(0, guard.Read(p => p.A));
        Assert.Equal(0, boxes.Read(b => b.Value));
    }

    public static TheoryData<TimeSpan> BadTimeouts() =>
    [
        TimeSpan.FromTicks(-1),
        Timeout.InfiniteTimeSpan,
        TimeSpan.FromMilliseconds(-5),
        TimeSpan.FromMilliseconds((double)int.MaxValue + 1),
        TimeSpan.MaxValue,
    ];

    [Theory]
    [MemberData(nameof(BadTimeouts))]
    public void TryWrite_BadTimeout_ThrowsArgumentOutOfRangeWithParameterName(TimeSpan timeout)
    {
        var guard = new ReadWriteGuarded<int>(0);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => guard.TryWrite(_ => { }, timeout)).ParamName);
    }

    [Theory]
    [MemberData(nameof(BadTimeouts))]
    public void TryRead_BadTimeout_ThrowsArgumentOutOfRangeWithParameterName(TimeSpan timeout)
    {
        var guard = new ReadWriteGuarded<int>(0);
        Assert.Equal("timeout", Assert.Throws<ArgumentOutOfRangeException>(() => guard.TryRead(v => v, timeout, out _)).ParamName);
    }

    [Theory]
    [MemberData(nameof(RwOps.OuterNames), MemberType = typeof(RwOps))]
    public void AnyMember_DelegateThrows_PropagatesAndReleasesTheLock(string member)
    {
        ReadWriteGuarded<Pair> guard = RwOps.NewGuard();
        var ex = Assert.Throws<InvalidOperationException>(() => RwOps.Outer[member](guard, () => throw new InvalidOperationException("boom")));
        Assert.Equal("boom", ex.Message);
        RwOps.AssertFree(guard);
    }

    [Theory]
    [MemberData(nameof(RwOps.OuterNames), MemberType = typeof(RwOps))]
    public void AnyMember_Completes_LeavesLockFree(string member)
    {
        ReadWriteGuarded<Pair> guard = RwOps.NewGuard();
        RwOps.Outer[member](guard, () => { });
        RwOps.AssertFree(guard);
    }
}
