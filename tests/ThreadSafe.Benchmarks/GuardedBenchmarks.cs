using BenchmarkDotNet.Attributes;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// <see cref="Guarded{T}"/> against the hand-written pattern it replaces: a private lock object and a
/// <c>lock</c> block around the same work. Targets: ≤ 1.1x the hand-written lock uncontended, and
/// 0 bytes per call on the state-passing overloads.
/// </summary>
[MemoryDiagnoser]
public class GuardedBenchmarks
{
    private const int Ops = 10_000;

    private readonly object _gate = new();
    private readonly Counter _plain = new();
    private readonly Guarded<Counter> _guarded = new(new Counter());

    /// <summary>Threads hammering the same instance: 1 (uncontended) or 2 (each does half the operations).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public void HandWrittenLock() => Run(HandWrittenLockLoop);

    [Benchmark(OperationsPerInvoke = Ops)]
    public void GuardedWriteWithState() => Run(GuardedWriteWithStateLoop);

    [Benchmark(OperationsPerInvoke = Ops)]
    public void GuardedWriteStaticLambda() => Run(GuardedWriteStaticLambdaLoop);

    [Benchmark(OperationsPerInvoke = Ops)]
    public void GuardedReadWithState() => Run(GuardedReadWithStateLoop);

    private void HandWrittenLockLoop()
    {
        for (int i = Ops / Threads; i > 0; i--)
        {
            lock (_gate)
            {
                _plain.Value += 1;
            }
        }
    }

    private void GuardedWriteWithStateLoop()
    {
        for (int i = Ops / Threads; i > 0; i--)
        {
            _guarded.Write(1L, static (c, d) => c.Value += d);
        }
    }

    private void GuardedWriteStaticLambdaLoop()
    {
        for (int i = Ops / Threads; i > 0; i--)
        {
            _guarded.Write(static c => c.Value++);
        }
    }

    private void GuardedReadWithStateLoop()
    {
        long sum = 0;
        for (int i = Ops / Threads; i > 0; i--)
        {
            sum += _guarded.Read(1L, static (c, d) => c.Value + d);
        }

        _plain.Sink = sum;
    }

    private void Run(Action loop)
    {
        if (Threads == 1)
        {
            loop();
        }
        else
        {
            Parallel.Invoke(new ParallelOptions { MaxDegreeOfParallelism = 2 }, loop, loop);
        }
    }

    private sealed class Counter
    {
        public long Value;
        public long Sink;
    }
}
