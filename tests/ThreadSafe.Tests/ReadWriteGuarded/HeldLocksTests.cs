using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.ReadWriteGuarded;

/// <summary>The per-thread record behind recursion detection.</summary>
public sealed class HeldLocksTests
{
    [Fact]
    public void TryAdd_SameInstanceTwice_SecondReturnsFalse()
    {
        object a = new();
        Assert.True(HeldLocks.TryAdd(a));
        Assert.False(HeldLocks.TryAdd(a));
        Assert.True(HeldLocks.IsHeld(a));
        HeldLocks.Remove(a);
        Assert.False(HeldLocks.IsHeld(a));
    }

    [Fact]
    public void Remove_OutOfOrder_KeepsEveryOtherInstanceHeld()
    {
        object[] items = [new(), new(), new(), new()];
        foreach (object item in items)
        {
            Assert.True(HeldLocks.TryAdd(item));
        }

        // Remove the inline slot first, then a middle one: the rest must still be found, and re-added ones rejected.
        HeldLocks.Remove(items[0]);
        HeldLocks.Remove(items[2]);
        Assert.False(HeldLocks.IsHeld(items[0]));
        Assert.False(HeldLocks.IsHeld(items[2]));
        Assert.False(HeldLocks.TryAdd(items[1]));
        Assert.False(HeldLocks.TryAdd(items[3]));

        HeldLocks.Remove(items[3]);
        HeldLocks.Remove(items[1]);
        foreach (object item in items)
        {
            Assert.False(HeldLocks.IsHeld(item));
        }

        // Empty again: the fast path takes the inline slot.
        Assert.True(HeldLocks.TryAdd(items[0]));
        HeldLocks.Remove(items[0]);
    }

    [Fact]
    public void TryAdd_OnAnotherThread_IsIndependent()
    {
        object a = new();
        Assert.True(HeldLocks.TryAdd(a));
        bool otherAdded = false;
        TestThread.JoinAll(TestThread.Start(() =>
        {
            otherAdded = HeldLocks.TryAdd(a);
            HeldLocks.Remove(a);
        }));
        Assert.True(otherAdded);
        HeldLocks.Remove(a);
    }
}
