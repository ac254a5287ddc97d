namespace ThreadSafe.Tests.ReadWriteGuarded;

/// <summary>Single-threaded behaviour and misuse of every member of <see cref="ReadWriteGuarded{T}"/>.</summary>
public sealed class ReadWriteGuardedTests
{
    [Fact]
    public void CanSnapshot_WithAndWithoutCopy_ReflectsConstruction()
    {
        Assert.True(new ReadWriteGuarded<int>(1, copy: v => v).CanSnapshot);
        Assert.False(new ReadWriteGuarded<int>(1).CanSnapshot);
    }

    [Fact]
    public void Read_ReturnsDelegateResult()
    {
        var guard = new ReadWriteGuarded<List<int>>(new List<int> { 1, 2, 3 });
        Assert.Equal(6, guard.Read(l => l.Sum()));
    }

    [Fact]
    public void ReadWithState_PassesState()
    {
        var guard = new ReadWriteGuarded<List<int>>(new List<int> { 1, 2, 3 });
        Assert.Equal(16, guard.Read(10, static (l, s) => l.Sum() + s));
    }

    [Fact]
    public void TryRead_Uncontended_RunsAndReturnsResult()
    {
        var guard = new ReadWriteGuarded<string>("abc");
        Assert.True(guard.TryRead(s => s.Length, TimeSpan.Zero, out int length));
        Assert.Equal(3, length);
    }

    [Fact]
    public void Write_MutatesValue()
    {
        var guard = new ReadWriteGuarded<List<int>>([]);
        guard.Write(l => l.Add(7));
        Assert.Equal(new[] { 7 }, guard.Read(l => l.ToArray()));
    }

    [Fact]
    public void WriteWithState_PassesState()
    {
        var guard = new ReadWriteGuarded<List<int>>([]);
        guard.Write(9, static (l, s) => l.Add(s));
        Assert.Equal(new[] { 9 }, guard.Read(l => l.ToArray()));
    }

    [Fact]
    public void WriteWithResult_ReturnsDelegateResult()
    {
        var guard = new ReadWriteGuarded<List<int>>([]);
        int count = guard.Write(l => { l.Add(1); return l.Count; });
        Assert.Equal(1, count);
    }

    [Fact]
    public void WriteWithStateAndResult_PassesStateAndReturnsResult()
    {
        var guard = new ReadWriteGuarded<List<int>>(new List<int> { 5 });
        int sum = guard.Write(4, static (l, s) => { l.Add(s); return l.Sum(); });
        Assert.Equal(9, sum);
    }

    [Fact]
    public void Update_ReplacesValueAndReturnsIt()
    {
        var guard = new ReadWriteGuarded<string>("a");
        Assert.Equal("ab", guard.Update(s => s + "b"));
        Assert.Equal("ab", guard.Read(s => s));
    }

    [Fact]
    public void UpdateWithState_ReplacesValueUsingState()
    {
        var guard = new ReadWriteGuarded<int>(2);
        Assert.Equal(5, guard.Update(3, static (v, s) => v + s));
        Assert.Equal(5, guard.Read(v => v));
    }

    [Fact]
    public void Update_DelegateThrows_LeavesValueUnchanged()
    {
        var guard = new ReadWriteGuarded<string>("kept");
        Assert.Throws<InvalidOperationException>(() => guard.Update(_ => throw new InvalidOperationException("boom")));
        Assert.Throws<InvalidOperationException>(() => guard.Update(0, static (_, _) => throw new InvalidOperationException("boom")));
        Assert.Equal("kept", guard.Read(s => s));
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
    public void Snapshot_WithCopy_ReturnsIndependentCopy()
    {
        var guard = new ReadWriteGuarded<List<int>>(new List<int> { 1, 2 }, copy: l => [.. l]);
        List<int> copy = guard.Snapshot();
        copy.Add(3);
        Assert.Equal(new[] { 1, 2 }, guard.Read(l => l.ToArray()));
        Assert.False(guard.Read(copy, static (l, c) => ReferenceEquals(l, c)));
    }

    [Fact]
    public void Snapshot_WithoutCopy_ThrowsInvalidOperationSayingHowToConfigure()
    {
        var guard = new ReadWriteGuarded<List<int>>([]);
        var ex = Assert.Throws<InvalidOperationException>(() => guard.Snapshot());
        Assert.Contains("copy", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_NamesTypeAndValueType()
    {
        Assert.Matches(@"^ReadWriteGuarded<int>#\d+$", new ReadWriteGuarded<int>(0).ToString());
        Assert.Equal("prices", new ReadWriteGuarded<int>(0, name: "prices").ToString());
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new ReadWriteGuarded<int>(0, name: " ")).ParamName);
    }

    [Fact]
    public void NullDelegate_EveryMember_ThrowsArgumentNullWithParameterName()
    {
        var guard = new ReadWriteGuarded<int>(0, copy: v => v);
        Assert.Equal("read", Assert.Throws<ArgumentNullException>(() => guard.Read<int>(null!)).ParamName);
        Assert.Equal("read", Assert.Throws<ArgumentNullException>(() => guard.Read<int, int>(0, null!)).ParamName);
        Assert.Equal("read", Assert.Throws<ArgumentNullException>(() => guard.TryRead<int>(null!, TimeSpan.Zero, out _)).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => guard.Write(null!)).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => guard.Write<int>(0, null!)).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => guard.Write<int>((Func<int, int>)null!)).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => guard.Write<int, int>(0, null!)).ParamName);
        Assert.Equal("update", Assert.Throws<ArgumentNullException>(() => guard.Update(null!)).ParamName);
        Assert.Equal("update", Assert.Throws<ArgumentNullException>(() => guard.Update<int>(0, null!)).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => guard.TryWrite(null!, TimeSpan.Zero)).ParamName);
        RwOps.AssertFree(RwOps.NewGuard());
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
