// Linearizability checker throughput on 3 threads x 5 calls of a small model (a counter).
//   dotnet run -c Release --project tests/ThreadSafe.Benchmarks -- --filter '*Linearizability*' --job short
// Histories/s = HistoriesPerInvoke / mean time per invocation (BenchmarkDotNet reports time per history
// because OperationsPerInvoke = HistoriesPerInvoke).
using BenchmarkDotNet.Attributes;
using FsCheck.Fluent;
using ThreadSafe.Testing;

namespace ThreadSafe.Benchmarks;

[MemoryDiagnoser]
public class LinearizabilityBenchmarks
{
    private const int HistoriesPerInvoke = 1000;
    private const int Threads = 3;
    private const int CallsPerThread = 5;

    private LinearizabilityChecker<object, int> _checker = null!;
    private HistoryEntry[][] _linearizable = null!;
    private HistoryEntry[][] _notLinearizable = null!;

    [GlobalSetup]
    public void Setup()
    {
        LinearizabilitySpec<object, int> spec = new LinearizabilitySpec<object, int>(() => new object(), () => 0)
            .Operation("Inc", _ => 0, m => (m + 1, m + 1))
            .Operation("Add", Gen.Choose(1, 3), (_, _) => 0, (m, x) => (m + x, m + x))
            .Operation("Get", _ => 0, m => (m, m));
        _checker = new LinearizabilityChecker<object, int>(spec.Operations, EqualityComparer<int>.Default);
        var random = new Random(20261124);
        _linearizable = Enumerable.Range(0, HistoriesPerInvoke).Select(_ => Simulate(random, corrupt: false)).ToArray();
        _notLinearizable = Enumerable.Range(0, HistoriesPerInvoke).Select(_ => Simulate(random, corrupt: true)).ToArray();
        if (!_linearizable.All(h => _checker.IsLinearizable(h, 0)) || _notLinearizable.Any(h => _checker.IsLinearizable(h, 0)))
        {
            throw new InvalidOperationException("The generated histories do not have the intended verdicts.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = HistoriesPerInvoke)]
    public int Linearizable() => Count(_linearizable);

    [Benchmark(OperationsPerInvoke = HistoriesPerInvoke)]
    public int NotLinearizable() => Count(_notLinearizable);

    private int Count(HistoryEntry[][] histories)
    {
        int yes = 0;
        foreach (HistoryEntry[] history in histories)
        {
            if (_checker.IsLinearizable(history, 0))
            {
                yes++;
            }
        }

        return yes;
    }

    // A sequential run of the counter in a random thread order, with each call's interval stretched
    // around its linearization point (10 time units apart) so that neighbouring calls overlap.
    private static HistoryEntry[] Simulate(Random random, bool corrupt)
    {
        var history = new List<HistoryEntry>();
        int[] left = Enumerable.Repeat(CallsPerThread, Threads).ToArray();
        long[] lastResponse = new long[Threads];
        int model = 0;
        for (int k = 0; k < Threads * CallsPerThread; k++)
        {
            int t;
            do
            {
                t = random.Next(Threads);
            }
            while (left[t] == 0);

            left[t]--;
            long point = 10L * (k + 1);
            int op = random.Next(3);
            int arg = random.Next(1, 4);
            model += op switch { 0 => 1, 1 => arg, _ => 0 };
            long invoked = Math.Max(point - random.Next(10), lastResponse[t] + 1);
            long responded = point + random.Next(10);
            lastResponse[t] = responded;
            history.Add(new HistoryEntry { Operation = op, Argument = op == 1 ? arg : null, Result = model, Invoked = invoked, Responded = responded });
        }

        if (corrupt)
        {
            // The last call returns a value no order can produce.
            HistoryEntry last = history[^1];
            last.Result = -1;
            history[^1] = last;
        }

        return [.. history];
    }
}
