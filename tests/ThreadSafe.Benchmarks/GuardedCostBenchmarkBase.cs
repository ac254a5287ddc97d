using BenchmarkDotNet.Attributes;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// What the diagnostics benchmarks share: the baseline, a hand-written <c>lock</c> around an increment, and the same
/// increment through a <see cref="Guarded{T}"/>, both uncontended. A subclass switches its diagnostics on in its set-up
/// and adds its own contenders; BenchmarkDotNet runs the inherited benchmarks as the subclass's, in the same run.
/// </summary>
/// <param name="guardName">The guard's name, as the diagnostics report it.</param>
public abstract class GuardedCostBenchmarkBase(string guardName)
{
    private protected const int Ops = 10_000;

    private readonly object _gate = new();

    private protected Counter Plain { get; } = new();

    private protected Guarded<Counter> Guard { get; } = new(new Counter(), name: guardName);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public void HandWrittenLock()
    {
        for (int i = 0; i < Ops; i++)
        {
            lock (_gate)
            {
                Plain.Value += 1;
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public void GuardedWrite()
    {
        for (int i = 0; i < Ops; i++)
        {
            Guard.Write(1L, static (c, d) => c.Value += d);
        }
    }

    private protected sealed class Counter
    {
        public long Value;
        public long Sink;
    }
}
