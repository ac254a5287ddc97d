using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.ReadWriteGuarded;

/// <summary>Calls from inside a delegate: the same instance throws, other instances work.</summary>
public sealed class ReadWriteGuardedRecursionTests
{
    [Theory]
    [MemberData(nameof(RwOps.AllPairs), MemberType = typeof(RwOps))]
    public void AnyMember_CalledInsideAnyDelegateOfSameInstance_ThrowsLockRecursionAndReleases(string outer, string inner)
    {
        ReadWriteGuarded<Pair> guard = RwOps.NewGuard();
        LockRecursionException? caught = null;

        // On its own thread so a deadlock fails the test by timeout instead of hanging it.
        TestThread.JoinAll(TestThread.Start(() =>
            RwOps.Outer[outer](guard, () => caught = Assert.Throws<LockRecursionException>(() => RwOps.Inner[inner](guard)))));
        Assert.NotNull(caught);
        Assert.Contains("ReadWriteGuarded<Pair>", caught.Message, StringComparison.Ordinal);
        RwOps.AssertFree(guard);
    }

    [Theory]
    [MemberData(nameof(RwOps.OuterNames), MemberType = typeof(RwOps))]
    public void EveryMember_CalledInsideDelegateOfAnotherInstance_Works(string outer)
    {
        ReadWriteGuarded<Pair> first = RwOps.NewGuard();
        ReadWriteGuarded<Pair> second = RwOps.NewGuard();
        int ran = 0;
        RwOps.Outer[outer](first, () =>
        {
            foreach (Action<ReadWriteGuarded<Pair>> inner in RwOps.Inner.Values)
            {
                inner(second);
                ran++;
            }
        });
        Assert.Equal(RwOps.Inner.Count, ran);
        RwOps.AssertFree(first);
        RwOps.AssertFree(second);
    }

    [Fact]
    public void Read_NestedThreeInstancesDeep_DetectsOutermostFromInnermost()
    {
        var a = new ReadWriteGuarded<int>(1);
        var b = new ReadWriteGuarded<int>(2);
        var c = new ReadWriteGuarded<int>(3);
        int sum = a.Read(va => b.Read(vb => c.Write(vc =>
        {
            // a sits in the inline slot, b and c in the overflow list: all three must be found.
            Assert.Throws<LockRecursionException>(() => a.Read(v => v));
            Assert.Throws<LockRecursionException>(() => b.Write(_ => { }));
            Assert.Throws<LockRecursionException>(() => c.Read(v => v));
            return va + vb + vc;
        })));
        Assert.Equal(6, sum);

        // Everything was released in the right order: all three are usable again, in any order.
        Assert.Equal(6, c.Read(vc => b.Read(vb => a.Read(va => va + vb + vc))));
    }

    [Fact]
    public void Read_InnerInstanceLeftWhileOuterStillHeld_OuterStillDetected()
    {
        var a = new ReadWriteGuarded<int>(1);
        var b = new ReadWriteGuarded<int>(2);
        a.Read(_ =>
        {
            b.Read(v => v);
            b.Write(_ => { });
            Assert.Throws<LockRecursionException>(() => a.Write(_ => { }));
            return 0;
        });
        a.Write(_ => { });
    }

    [Fact]
    public void Read_SameInstanceOnTwoThreads_IsNotRecursion()
    {
        var guard = new ReadWriteGuarded<int>(5);
        int seen = guard.Read(_ =>
        {
            int other = 0;
            TestThread.JoinAll(TestThread.Start(() => other = guard.Read(v => v)));
            return other;
        });
        Assert.Equal(5, seen);
    }
}
