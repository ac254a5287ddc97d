using ThreadSafe.Testing;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.ThreadConfined;

/// <summary>Unit and real-thread tests of <see cref="ThreadConfined{T}"/>.</summary>
public sealed class ThreadConfinedTests
{
    // Runs body on a new named thread and returns what it threw (or null); the join is bounded.
    private static Exception? OnThread(string name, Action body)
    {
        TestThread thread = TestThread.Start(body, name);
        return Record.Exception(thread.Join);
    }

    [Fact]
    public void Value_OnOwnerThread_ReadsAndWrites()
    {
        var confined = new ThreadConfined<int>(1);
        Assert.Equal(1, confined.Value);
        confined.Value = 2;
        Assert.Equal(2, confined.Value);
        Assert.True(confined.IsOwnedByCurrentThread);
        Assert.False(confined.IsReleased);
        Assert.Equal(Environment.CurrentManagedThreadId, confined.OwnerThreadId);
    }

    [Fact]
    public void Value_FromOtherThread_ThrowsNamingBothThreads()
    {
        ThreadConfined<string>? confined = null;
        int ownerId = 0;
        Assert.Null(OnThread("request-owner", () =>
        {
            confined = new ThreadConfined<string>("user-42 session");
            ownerId = Environment.CurrentManagedThreadId;
        }));

        int otherId = 0;
        Exception? read = OnThread("background-worker", () =>
        {
            otherId = Environment.CurrentManagedThreadId;
            _ = confined!.Value;
        });
        Exception? write = OnThread("background-worker", () => confined!.Value = "someone else");

        var ex = Assert.IsType<InvalidOperationException>(read);
        Assert.Contains($"{ownerId} ('request-owner')", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{otherId} ('background-worker')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("read the value", ex.Message, StringComparison.Ordinal);
        var writeEx = Assert.IsType<InvalidOperationException>(write);
        Assert.Contains("write the value", writeEx.Message, StringComparison.Ordinal);
        Assert.Contains("'request-owner'", writeEx.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => confined!.Value); // this test thread is not the owner either
    }

    [Fact]
    public void Value_FromUnnamedOtherThread_SaysUnnamed()
    {
        var confined = new ThreadConfined<int>(0);
        Exception? ex = OnThread(null!, () => _ = confined.Value);
        Assert.Contains("(unnamed)", Assert.IsType<InvalidOperationException>(ex).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsOwnedByCurrentThread_FromOtherThread_False()
    {
        var confined = new ThreadConfined<int>(0);
        bool owned = true;
        Assert.Null(OnThread("observer", () => owned = confined.IsOwnedByCurrentThread));
        Assert.False(owned);
    }

    [Fact]
    public void Release_ThenClaimOnOtherThread_TransfersAndPublishesValue()
    {
        var confined = new ThreadConfined<List<int>>([]);
        confined.Value.Add(1);
        confined.Value = [.. confined.Value, 2];
        confined.Release();
        Assert.True(confined.IsReleased);
        Assert.Null(confined.OwnerThreadId);
        Assert.False(confined.IsOwnedByCurrentThread);

        int[]? seen = null;
        int claimer = 0;
        Assert.Null(OnThread("receiver", () =>
        {
            confined.Claim();
            claimer = Environment.CurrentManagedThreadId;
            seen = [.. confined.Value];
        }));
        Assert.Equal(new[] { 1, 2 }, seen);
        Assert.Equal(claimer, confined.OwnerThreadId);
        Assert.Throws<InvalidOperationException>(() => confined.Value); // the receiver owns it now
    }

    [Fact]
    public void Value_WhileReleased_ThrowsSayingClaim()
    {
        var confined = new ThreadConfined<int>(0);
        confined.Release();
        var ex = Assert.Throws<InvalidOperationException>(() => confined.Value);
        Assert.Contains("released", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Claim()", ex.Message, StringComparison.Ordinal);
        confined.Claim();
        Assert.Equal(0, confined.Value);
    }

    [Fact]
    public void Release_ByNonOwner_ThrowsAndOwnershipUnchanged()
    {
        var confined = new ThreadConfined<int>(0);
        Exception? ex = OnThread("intruder", confined.Release);
        Assert.Contains("'intruder'", Assert.IsType<InvalidOperationException>(ex).Message, StringComparison.Ordinal);
        Assert.True(confined.IsOwnedByCurrentThread);
    }

    [Fact]
    public void Release_Twice_SecondThrows()
    {
        var confined = new ThreadConfined<int>(0);
        confined.Release();
        Assert.Throws<InvalidOperationException>(confined.Release);
    }

    [Fact]
    public void Claim_WhileOwnedByAnotherThread_ThrowsNamingOwner()
    {
        var confined = new ThreadConfined<int>(0);
        Exception? ex = OnThread("claimer", confined.Claim);
        var ioe = Assert.IsType<InvalidOperationException>(ex);
        Assert.Contains($"owned by thread {Environment.CurrentManagedThreadId}", ioe.Message, StringComparison.Ordinal);
        Assert.Contains("'claimer'", ioe.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Claim_ByOwnerItself_ThrowsSayingSo()
    {
        var confined = new ThreadConfined<int>(0);
        var ex = Assert.Throws<InvalidOperationException>(confined.Claim);
        Assert.Contains("the calling thread itself", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryClaim_OwnedOrReleased_ReturnsWhetherClaimed()
    {
        var confined = new ThreadConfined<int>(0);
        Assert.False(confined.TryClaim());
        confined.Release();
        Assert.True(confined.TryClaim());
        Assert.True(confined.IsOwnedByCurrentThread);
    }

    [Fact]
    public void HandOffTo_OtherThread_ReceiverOwnsAndSeesValue()
    {
        var confined = new ThreadConfined<int[]>([0]);
        confined.Value[0] = 42;
        using var handedOff = new ManualResetEvent(false);
        int seen = 0;
        bool waited = false;
        var receiver = new Thread(() =>
        {
            waited = handedOff.WaitOne(TestLimits.Wait);
            seen = confined.Value[0];
        })
        { Name = "receiver", IsBackground = true };
        confined.HandOffTo(receiver); // before it starts: legal
        Assert.Equal(receiver.ManagedThreadId, confined.OwnerThreadId);
        Assert.Throws<InvalidOperationException>(() => confined.Value);
        receiver.Start();
        handedOff.Set();
        Assert.True(receiver.Join(TestLimits.Wait));
        Assert.True(waited);
        Assert.Equal(42, seen);
    }

    [Fact]
    public void HandOffTo_Self_KeepsOwnership()
    {
        var confined = new ThreadConfined<int>(3);
        confined.HandOffTo(Thread.CurrentThread);
        Assert.Equal(3, confined.Value);
    }

    [Fact]
    public void HandOffTo_Null_ThrowsArgumentNullWithParamName()
    {
        var confined = new ThreadConfined<int>(0);
        Assert.Equal("thread", Assert.Throws<ArgumentNullException>(() => confined.HandOffTo(null!)).ParamName);
    }

    [Fact]
    public void HandOffTo_ByNonOwner_ThrowsAndOwnershipUnchanged()
    {
        var confined = new ThreadConfined<int>(0);
        Thread me = Thread.CurrentThread;
        Exception? ex = OnThread("thief", () => confined.HandOffTo(Thread.CurrentThread));
        Assert.Contains("hand the value off", Assert.IsType<InvalidOperationException>(ex).Message, StringComparison.Ordinal);
        Assert.Equal(me.ManagedThreadId, confined.OwnerThreadId);
    }

    [Fact]
    public void ToString_NamesTypeArgument()
    {
        Assert.Equal("ThreadConfined<string>", new ThreadConfined<string>("x").ToString());
    }

    // Claimants stay alive until all have tried: a value whose owner thread has ended is claimable again, so a winner
    // that ended early would let a later claimant take over legitimately.
    [Fact]
    public void TryClaim_ManyThreadsRace_ExactlyOneWins()
    {
        int rounds = TestLimits.Size(quick: 100, stress: 2_000);
        const int Claimants = 4;
        for (int round = 0; round < rounds; round++)
        {
            var confined = new ThreadConfined<int>(round);
            confined.Release();
            using var allTried = new ManualResetEvent(false);
            int tried = 0;
            var won = new bool[Claimants];
            var threadIds = new int[Claimants];
            Concurrently.Run(
                index =>
                {
                    threadIds[index] = Environment.CurrentManagedThreadId;
                    won[index] = confined.TryClaim();
                    if (Interlocked.Increment(ref tried) == Claimants)
                    {
                        allTried.Set();
                    }

                    Assert.True(allTried.WaitOne(TestLimits.Wait), "not every claimant tried");
                },
                new ConcurrentRunOptions { Threads = Claimants, Timeout = TestLimits.Wait, ThreadName = "claimant" });

            int winner = Array.IndexOf(won, true);
            Assert.Equal(1, won.Count(w => w));
            Assert.Equal(threadIds[winner], confined.OwnerThreadId);
        }
    }
}
