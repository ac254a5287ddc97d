using FsCheck.Fluent;
using ThreadSafe;
using ThreadSafe.Testing;

namespace QuickTour;

/// <summary>ThreadSafe.Testing: run a body from many threads at once, and check a type for linearizability.</summary>
internal static class TestingTour
{
    private sealed class Counter
    {
        public int Value;
    }

    public static string Run()
    {
        // 1. The same body from 4 threads released together; any exception or a hang fails the run.
        var hits = new Guarded<Counter>(new Counter());
        Concurrently.Run(_ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                hits.Write(static c => c.Value++);
            }
        }, new ConcurrentRunOptions { Threads = 4, Timeout = TimeSpan.FromSeconds(60) });
        int total = hits.Read(static c => c.Value);
        Check.That(total == 40_000, $"expected 40,000 hits, counted {total}");

        // 2. Generated concurrent scenarios on real threads, each history checked against a sequential model.
        var options = new LinearizabilityOptions { Scenarios = 20, RunsPerScenario = 10 };
        new LinearizabilitySpec<Guarded<Counter>, int>(() => new Guarded<Counter>(new Counter()), () => 0)
            .Operation("Add", Gen.Choose(1, 3), (g, n) => g.Write(n, static (c, d) => c.Value += d), (m, n) => (m + n, m + n))
            .Operation("Get", Gen.Constant(0), (g, _) => g.Read(static c => c.Value), (m, _) => (m, m))
            .Check(options);

        return $"4 threads x 10,000 writes = {total:N0}; {options.Scenarios * options.RunsPerScenario} concurrent histories linearizable";
    }
}
