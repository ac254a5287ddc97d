using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.ThreadConfined;

/// <summary>A value whose owner thread has ended can be claimed by another thread instead of being lost for ever.</summary>
public sealed class ThreadConfinedDeadOwnerTests
{
    private static ThreadConfined<List<int>> CreateOnEndedThread()
    {
        ThreadConfined<List<int>>? confined = null;
        var owner = new Thread(() =>
        {
            confined = new ThreadConfined<List<int>>(new List<int>());
            confined.Value.Add(42);
        })
        { Name = "short-lived owner" };
        owner.Start();
        Assert.True(owner.Join(TestLimits.Wait), "the owner thread did not end in time");
        return confined!;
    }

    [Fact]
    public void Claim_OwnerThreadEnded_TakesOverAndSeesOwnersWrites()
    {
        ThreadConfined<List<int>> confined = CreateOnEndedThread();
        confined.Claim();
        Assert.True(confined.IsOwnedByCurrentThread);
        Assert.Equal([42], confined.Value);
    }

    [Fact]
    public void TryClaim_OwnerThreadEnded_ReturnsTrue()
    {
        ThreadConfined<List<int>> confined = CreateOnEndedThread();
        Assert.True(confined.TryClaim());
        Assert.Equal(Environment.CurrentManagedThreadId, confined.OwnerThreadId);
    }

    [Fact]
    public void Value_OwnerThreadEnded_StillThrows_SayingClaimTakesItOver()
    {
        ThreadConfined<List<int>> confined = CreateOnEndedThread();
        var ex = Assert.Throws<InvalidOperationException>(() => confined.Value);
        Assert.Contains("has ended", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Claim()", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ThreadConfined<List<int>>", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Claim_OwnerNotStartedYet_IsNotTakenForDead()
    {
        var confined = new ThreadConfined<int>(1);
        var notStarted = new Thread(() => { });
        confined.HandOffTo(notStarted);
        Exception? ex = null;
        var claimer = new Thread(() => ex = Record.Exception(confined.Claim));
        claimer.Start();
        Assert.True(claimer.Join(TestLimits.Wait));
        Assert.IsType<InvalidOperationException>(ex);
    }
}
