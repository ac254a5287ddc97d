using ThreadSafe.Tests.Contracts;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.Guarded;

public sealed class GuardedTests
{
    private sealed class Box
    {
        public int Value;
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
        var holding = new BlockingHandler();
        var holder = TestThread.Start(() => guarded.Write(_ => holding.Block()), "holder");
        holding.WaitEntered();

        bool ran = false;
        Assert.False(guarded.TryWrite(_ => ran = true, TestLimits.Absence));
        Assert.False(ran);

        holding.Release();
        holder.Join();
        Assert.True(guarded.TryWrite(_ => ran = true, TestLimits.Wait));
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
    public void TryWrite_NullDelegate_ThrowsArgumentNullException_NamingTheParameter()
    {
        var guarded = new Guarded<Box>(new Box());
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => guarded.TryWrite(null!, TimeSpan.Zero)).ParamName);
    }

    [Fact]
    public void TryWrite_FromInsideOwnDelegate_ThrowsLockRecursion_AndAnyMemberFromInsideTryWrite_Too()
    {
        var guarded = new Guarded<List<int>>([]);
        Exception? tryWriteInsideWrite = null, writeInsideTryWrite = null;

        guarded.Write(_ => tryWriteInsideWrite = Record.Exception(() => guarded.TryWrite(l => l.Add(1), TimeSpan.Zero)));
        Assert.True(guarded.TryWrite(_ => writeInsideTryWrite = Record.Exception(() => guarded.Write(l => l.Add(1))), TimeSpan.Zero));

        Assert.IsType<LockRecursionException>(tryWriteInsideWrite);
        Assert.IsType<LockRecursionException>(writeInsideTryWrite);
        Assert.Equal(0, guarded.Read(l => l.Count)); // usable afterwards
    }

    [Fact]
    public void TryWrite_AsyncDelegate_IsRefusedBeforeItRuns()
    {
        var guarded = new Guarded<GuardContractTests.Box>(new GuardContractTests.Box());
        Assert.Equal("write", Assert.Throws<ArgumentException>(() => guarded.TryWrite(GuardContractTests.AsyncVoidWrite, TimeSpan.Zero)).ParamName);
        Assert.Equal(0, guarded.Read(b => b.Value));
    }

    [Fact]
    public void ToString_IsTheName_GivenOrTypeAndId()
    {
        Assert.Matches(@"^Guarded<List<int>>#\d+$", new Guarded<List<int>>([]).ToString());
        Assert.Equal("orders", new Guarded<int>(0, name: "orders").Name);
        Assert.Equal("lockClass", Assert.Throws<ArgumentException>(() => new Guarded<int>(0, lockClass: "")).ParamName);
    }
}
