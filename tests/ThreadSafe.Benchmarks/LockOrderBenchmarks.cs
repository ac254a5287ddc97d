using BenchmarkDotNet.Attributes;
using ThreadSafe.Diagnostics;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// What lock-order checking costs per acquisition, off and on, against a hand-written <c>lock</c> in the same run:
/// a single acquisition (nothing else held), a nested acquisition whose order is already recorded, and recording a
/// new order (allocations per new edge).
/// </summary>
[MemoryDiagnoser]
public class LockOrderBenchmarks() : GuardedCostBenchmarkBase("outer")
{
    private readonly Guarded<Counter> _inner = new(new Counter(), name: "inner");

    /// <summary>Lock-order checking off (the default) or on in Throw mode.</summary>
    [Params(false, true)]
    public bool Checking { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        LockOrder.Reset();
        LockOrder.Enable(Checking ? LockOrderMode.Throw : LockOrderMode.Off);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        LockOrder.Disable();
        LockOrder.Reset();
    }

    /// <summary>Two acquisitions per operation, the inner one nested in the outer (an order recorded on the first call).</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void GuardedNestedKnownOrder()
    {
        for (int i = 0; i < Ops; i++)
        {
            Guard.Write(_inner, static (_, inner) => inner.Write(1L, static (c, d) => c.Value += d));
        }
    }

    /// <summary>One new order per operation: two fresh guards nested once (allocations include the two guards).</summary>
    [Benchmark(OperationsPerInvoke = 100)]
    public void NewOrderRecorded()
    {
        for (int i = 0; i < 100; i++)
        {
            var a = new Guarded<Counter>(Plain);
            var b = new Guarded<Counter>(Plain);
            a.Write(b, static (_, inner) => inner.Write(static c => c.Sink++));
        }

        LockOrder.Reset();
    }
}
