using Microsoft.Coyote.Specifications;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>Systematic schedule exploration of <see cref="ThreadConfined{T}"/>'s ownership transfer.</summary>
public sealed class ThreadConfinedCoyoteTests(ITestOutputHelper output)
{
    [Fact]
    public void Claim_ConcurrentClaimants_ExactlyOneWinsAndSeesPublishedValue()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var confined = new ThreadConfined<int[]>([0]);
                confined.Value[0] = 7;
                confined.Release();

                // Claimants stay alive until all have tried: a value whose owner thread has ended is claimable again.
                using var allTried = new ManualResetEvent(false);
                int tried = 0;
                Task<int>[] claimants = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
                {
                    int result;
                    try
                    {
                        confined.Claim();
                        int seen = confined.Value[0];
                        Specification.Assert(seen == 7, $"The claimant saw {seen}, not the published 7.");
                        result = Environment.CurrentManagedThreadId;
                    }
                    catch (InvalidOperationException)
                    {
                        result = -1;
                    }

                    if (Interlocked.Increment(ref tried) == 3)
                    {
                        allTried.Set();
                    }

                    allTried.WaitOne();
                    return result;
                })).ToArray();
                int[] results = await Task.WhenAll(claimants);
                int winners = results.Count(r => r != -1);
                Specification.Assert(winners == 1, $"{winners} claimants won; exactly one must.");
                Specification.Assert(confined.OwnerThreadId == results.Single(r => r != -1), "The owner is not the winner.");
            },
            output);
    }

    [Fact]
    public void NonAtomicClaim_IsCaught_ProvingTheHarnessCanFail()
    {
        CoyoteRun.ExpectBug(
            async () =>
            {
                // Check-then-act instead of one compare-and-swap: two claimants can both see "free".
                int owner = 0;
                Task<bool>[] claimants = Enumerable.Range(1, 2).Select(id => Task.Run(() =>
                {
                    if (Volatile.Read(ref owner) == 0)
                    {
                        Thread.Yield();
                        owner = id;
                        return true;
                    }

                    return false;
                })).ToArray();
                bool[] won = await Task.WhenAll(claimants);
                Specification.Assert(won.Count(w => w) == 1, "Two claimants won.");
            },
            output);
    }
}
