namespace ThreadSafe.Tests.Guarded;

public sealed class GuardedTests
{
    private sealed class Box
    {
        public int Value;
    }

    [Fact]
    public void Read_ReturnsDelegateResult()
    {
        var guarded = new Guarded<Box>(new Box { Value = 7 });
        Assert.Equal(7, guarded.Read(b => b.Value));
    }

    [Fact]
    public void Read_WithState_PassesStateToDelegate()
    {
        var guarded = new Guarded<Box>(new Box { Value = 7 });
        Assert.Equal(10, guarded.Read(3, static (b, s) => b.Value + s));
    }

    [Fact]
    public void Write_MutatesValue_VisibleToLaterRead()
    {
        var guarded = new Guarded<Box>(new Box());
        guarded.Write(b => b.Value = 5);
        Assert.Equal(5, guarded.Read(b => b.Value));
    }

    [Fact]
    public void Write_WithState_PassesStateToDelegate()
    {
        var guarded = new Guarded<Box>(new Box());
        guarded.Write(9, static (b, s) => b.Value = s);
        Assert.Equal(9, guarded.Read(b => b.Value));
    }

    [Fact]
    public void Write_WithResult_ReturnsDelegateResult()
    {
        var guarded = new Guarded<Box>(new Box { Value = 1 });
        Assert.Equal(2, guarded.Write(b => ++b.Value));
        Assert.Equal(12, guarded.Write(10, static (b, s) => b.Value += s));
    }

    [Fact]
    public void Update_ReplacesValue_AndReturnsIt()
    {
        var guarded = new Guarded<string>("a");
        Assert.Equal("ab", guarded.Update(s => s + "b"));
        Assert.Equal("abc", guarded.Update("c", static (s, x) => s + x));
        Assert.Equal("abc", guarded.Read(s => s));
    }

    [Fact]
    public void Update_DelegateThrows_LeavesValueUnchanged()
    {
        var guarded = new Guarded<string>("a");
        Assert.Throws<FormatException>(() => guarded.Update(_ => throw new FormatException()));
        Assert.Equal("a", guarded.Read(s => s));
    }

    [Fact]
    public void Write_DelegateThrows_ReleasesLock()
    {
        var guarded = new Guarded<Box>(new Box());
        Assert.Throws<InvalidOperationException>(() => guarded.Write(_ => throw new InvalidOperationException()));

        // Another thread can take the lock at once: it was released.
        var other = new Thread(() => guarded.Write(b => b.Value = 1));
        other.Start();
        Assert.True(other.Join(TimeSpan.FromSeconds(10)), "the lock was not released after the delegate threw");
        Assert.Equal(1, guarded.Read(b => b.Value));
    }

    [Fact]
    public void Write_DelegateThrows_DoesNotLeaveInstanceMarkedBusy()
    {
        var guarded = new Guarded<Box>(new Box());
        Assert.Throws<InvalidOperationException>(() => guarded.Write(_ => throw new InvalidOperationException()));
        guarded.Write(b => b.Value = 3); // would throw LockRecursionException if the busy flag leaked
        Assert.Equal(3, guarded.Read(b => b.Value));
    }

    [Fact]
    public void Snapshot_WithCopy_ReturnsIndependentCopy()
    {
        var guarded = new Guarded<List<int>>(new List<int> { 1, 2 }, copy: l => [.. l]);
        List<int> copy = guarded.Snapshot();
        copy.Add(3);
        Assert.Equal(2, guarded.Read(l => l.Count));
        Assert.True(guarded.CanSnapshot);
    }

    [Fact]
    public void Snapshot_WithoutCopy_ThrowsInvalidOperationExplainingHowToConfigure()
    {
        var guarded = new Guarded<List<int>>([]);
        Assert.False(guarded.CanSnapshot);
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(guarded.Snapshot);
        Assert.Contains("copy", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryWrite_LockFree_RunsDelegateAndReturnsTrue()
    {
        var guarded = new Guarded<Box>(new Box());
        Assert.True(guarded.TryWrite(b => b.Value = 4, TimeSpan.Zero));
        Assert.Equal(4, guarded.Read(b => b.Value));
    }

    [Fact]
    public void TryWrite_LockHeldByAnotherThread_ReturnsFalseWithoutRunning()
    {
        var guarded = new Guarded<Box>(new Box());
        using var inside = new ManualResetEvent(false);
        using var release = new ManualResetEvent(false);
        var holder = new Thread(() => guarded.Write(_ =>
        {
            inside.Set();
            release.WaitOne(TimeSpan.FromSeconds(30));
        }));
        holder.Start();
        Assert.True(inside.WaitOne(TimeSpan.FromSeconds(30)), "holder never entered");

        bool ran = false;
        Assert.False(guarded.TryWrite(_ => ran = true, TimeSpan.FromMilliseconds(20)));
        Assert.False(ran);

        release.Set();
        Assert.True(holder.Join(TimeSpan.FromSeconds(30)));
        Assert.True(guarded.TryWrite(_ => ran = true, TimeSpan.FromSeconds(10)));
        Assert.True(ran);
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(-1)]
    public void TryWrite_NegativeOrInfiniteTimeout_ThrowsArgumentOutOfRange(int milliseconds)
    {
        var guarded = new Guarded<Box>(new Box());
        ArgumentOutOfRangeException ex = Assert.Throws<ArgumentOutOfRangeException>(
            () => guarded.TryWrite(_ => { }, TimeSpan.FromMilliseconds(milliseconds)));
        Assert.Equal("timeout", ex.ParamName);
    }

    [Fact]
    public void TryWrite_TimeoutBeyondInt32Milliseconds_ThrowsArgumentOutOfRange()
    {
        var guarded = new Guarded<Box>(new Box());
        Assert.Throws<ArgumentOutOfRangeException>(() => guarded.TryWrite(_ => { }, TimeSpan.FromDays(30)));
    }

    [Fact]
    public void NullDelegates_ThrowArgumentNullException_NamingTheParameter()
    {
        var guarded = new Guarded<Box>(new Box());
        Assert.Equal("read", Assert.Throws<ArgumentNullException>(() => guarded.Read<int>(null!)).ParamName);
        Assert.Equal("read", Assert.Throws<ArgumentNullException>(() => guarded.Read<int, int>(0, null!)).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => guarded.Write(null!)).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => guarded.Write<int>(0, (Action<Box, int>)null!)).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => guarded.Write<int>((Func<Box, int>)null!)).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => guarded.Write<int, int>(0, null!)).ParamName);
        Assert.Equal("update", Assert.Throws<ArgumentNullException>(() => guarded.Update(null!)).ParamName);
        Assert.Equal("update", Assert.Throws<ArgumentNullException>(() => guarded.Update<int>(0, null!)).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => guarded.TryWrite(null!, TimeSpan.Zero)).ParamName);
    }

    public static TheoryData<string> Members => ["Read", "ReadState", "Write", "WriteState", "WriteResult", "WriteStateResult", "Update", "UpdateState", "TryWrite", "Snapshot"];

    [Theory]
    [MemberData(nameof(Members))]
    public void AnyMember_CalledFromInsideOwnDelegate_ThrowsLockRecursion(string member)
    {
        var guarded = new Guarded<List<int>>([], copy: l => [.. l]);
        Exception? inner = null;
        guarded.Write(_ => inner = Record.Exception(() => Call(guarded, member)));
        Assert.IsType<LockRecursionException>(inner);

        // The outer call completed normally and the instance is usable afterwards.
        Assert.Equal(0, guarded.Read(l => l.Count));
    }

    [Fact]
    public void Write_CalledFromInsideDelegateOfAnotherInstance_Runs()
    {
        var first = new Guarded<Box>(new Box());
        var second = new Guarded<Box>(new Box());
        first.Write(a => second.Write(b => b.Value = a.Value + 1));
        Assert.Equal(1, second.Read(b => b.Value));
    }

    private static void Call(Guarded<List<int>> guarded, string member)
    {
        switch (member)
        {
            case "Read": guarded.Read(l => l.Count); break;
            case "ReadState": guarded.Read(1, static (l, s) => l.Count + s); break;
            case "Write": guarded.Write(l => l.Add(1)); break;
            case "WriteState": guarded.Write(1, static (l, s) => l.Add(s)); break;
            case "WriteResult": guarded.Write(l => l.Count); break;
            case "WriteStateResult": guarded.Write(1, static (l, s) => l.Count + s); break;
            case "Update": guarded.Update(l => l); break;
            case "UpdateState": guarded.Update(1, static (l, _) => l); break;
            case "TryWrite": guarded.TryWrite(l => l.Add(1), TimeSpan.Zero); break;
            case "Snapshot": guarded.Snapshot(); break;
            default: throw new ArgumentOutOfRangeException(nameof(member));
        }
    }

    [Fact]
    public void ToString_IsTheName_GivenOrTypeAndId()
    {
        Assert.Matches(@"^Guarded<List<int>>#\d+$", new Guarded<List<int>>([]).ToString());
        Assert.Equal("orders", new Guarded<int>(0, name: "orders").Name);
        Assert.Equal("lockClass", Assert.Throws<ArgumentException>(() => new Guarded<int>(0, lockClass: "")).ParamName);
    }
}
