using System.Collections.Immutable;
using FsCheck.Fluent;

namespace ThreadSafe.Testing.Tests.Zoo;

/// <summary>The bug zoo: eight broken structures and their correct twins, each with its linearizability specification.</summary>
public static class ZooCases
{
    public static readonly IZooCase[] All =
    [
        new ZooCase<ICounter, int>(
            "LostUpdateCounter",
            broken => new LinearizabilitySpec<ICounter, int>(() => broken ? new LostUpdateCounter() : new AtomicCounter(), () => 0)
                .Operation("Inc", c => c.Increment(), m => (m + 1, m + 1))
                .Operation("Get", c => c.Value, m => (m, m))),

        new ZooCase<IRegistry, int>(
            "CheckThenActDictionary",
            broken => new LinearizabilitySpec<IRegistry, int>(() => broken ? new CheckThenActRegistry() : new AtomicRegistry(), () => 0)
                .Operation("AddIfAbsent", Gen.Choose(0, 1), (r, k) => r.AddIfAbsent(k), (m, k) => ((m & (1 << k)) == 0, m | (1 << k)))
                .Operation("Contains", Gen.Choose(0, 1), (r, k) => r.Contains(k), (m, k) => ((m & (1 << k)) != 0, m))),

        new ZooCase<BlockingBuffer, ImmutableList<int>>(
            "LostWakeup",
            broken => new LinearizabilitySpec<BlockingBuffer, ImmutableList<int>>(() => new BlockingBuffer(recheckAfterWait: !broken), () => [], SequenceComparer.Instance)
                .Command("Put", Gen.Choose(1, 3), (b, x) => b.Put(x), (m, x) => m.Add(x))
                .Operation("Take", b => b.Take(), m => m.IsEmpty ? throw new InvalidOperationException("Take blocks on an empty buffer.") : (m[0], m.RemoveAt(0))),
            new Scenario([Invocation.Of("Take")], [Invocation.Of("Take")], [Invocation.Of("Put", 1), Invocation.Of("Put", 2)])),

        new ZooCase<LazyBox, int>(
            "DoubleCheckedLazyInit",
            broken => new LinearizabilitySpec<LazyBox, int>(() => new LazyBox(secondCheck: !broken), () => 0)
                .Operation("Get", b => b.Get(), m => (1, 1))),

        new ZooCase<TreiberStack, ImmutableList<int>>(
            "RacyStack",
            broken => new LinearizabilitySpec<TreiberStack, ImmutableList<int>>(() => new TreiberStack(useCompareExchange: !broken), () => [], SequenceComparer.Instance)
                .Command("Push", Gen.Choose(1, 3), (s, x) => s.Push(x), (m, x) => m.Add(x))
                .Operation("Pop", s => s.Pop(), m => m.IsEmpty ? ((int?)null, m) : (m[^1], m.RemoveAt(m.Count - 1)))),

        new ZooCase<Accounts, int>(
            "NonAtomicTransfer",
            broken => new LinearizabilitySpec<Accounts, int>(() => new Accounts(atomicTransfer: !broken), () => 20)
                .Command("Transfer", Gen.Choose(1, 3), (a, x) => a.Transfer(x), (m, _) => m)
                .Operation("Total", a => a.Total(), m => (m, m))),

        new ZooCase<TwoFieldValue, int>(
            "TornRead",
            broken => new LinearizabilitySpec<TwoFieldValue, int>(() => new TwoFieldValue(locked: !broken), () => 0)
                .Command("Set", Gen.Choose(1, 3), (p, x) => p.Set(x), (_, x) => x)
                .Operation("Get", p => p.Get(), m => ((m, m), m))),

        new ZooCase<AsyncSemaphore, int>(
            "CancellationLeaksWaiter",
            broken => new LinearizabilitySpec<AsyncSemaphore, int>(() => new AsyncSemaphore(removeCancelledWaiter: !broken), () => 0)
                .Operation("WaitThenCancel", s => s.WaitThenCancel(), m => m > 0 ? ("acquired", m - 1) : ("cancelled", m))
                .Command("Release", s => s.Release(), m => m + 1)
                .Operation("TryAcquire", s => s.TryAcquire(), m => m > 0 ? (true, m - 1) : (false, m))),
    ];

    public static TheoryData<string> Names => new(All.Select(c => c.Name));

    public static IZooCase Get(string name) => All.Single(c => c.Name == name);
}
