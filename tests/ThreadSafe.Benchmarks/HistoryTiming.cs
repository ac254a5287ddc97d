// Times Linearizability.Check on exported history files the way the Porcupine driver in docs/benchmarks.md
// does (repeat until 2 s or 200 runs, at least 3, once if the budget ran out; mean; 30 s budget per check), so both checkers read the
// same files in the same session; and Porcupine's Jepsen etcd logs (etcd_*.log) found in the same directory:
//   dotnet run -c Release --project tests/ThreadSafe.Benchmarks -- time-histories DIR
using System.Diagnostics;
using System.Globalization;
using ThreadSafe.Testing.Histories;
using ThreadSafe.Testing.Tests.Histories;

namespace ThreadSafe.Benchmarks;

public static class HistoryTiming
{
    public static void Run(string directory)
    {
        // Porcupine's Jepsen etcd logs (test_data/jepsen/etcd_*.log), as call and return events: a shorter
        // protocol per file (0.5 s or 50 runs, at least 3), as there are 102 of them. One untimed check of every
        // file first, so the JIT's warm-up does not land on the first files.
        var etcd = Directory.GetFiles(directory, "etcd_*.log").Order(StringComparer.Ordinal)
            .Select(file => (Name: Path.GetFileName(file), Events: EtcdLog.Parse(File.ReadLines(file)))).ToList();
        var warmUp = Stopwatch.StartNew();
        foreach ((_, List<HistoryEvent<EtcdInput, EtcdOutput>> events) in etcd)
        {
            _ = Linearizability.CheckEvents(EtcdLog.Model, events, TimeSpan.FromSeconds(30));
        }

        if (etcd.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"etcd warm-up: every file checked once in {warmUp.Elapsed.TotalMilliseconds:F1} ms"));
        }

        foreach ((string name, List<HistoryEvent<EtcdInput, EtcdOutput>> events) in etcd)
        {
            Time(name, events.Count(e => e.Kind == HistoryEventKind.Call), () => Linearizability.CheckEvents(EtcdLog.Model, events, TimeSpan.FromSeconds(30)).Verdict, TimeSpan.FromSeconds(0.5), 50);
        }

        // The exported histories: the same untimed pass first (the unpartitioned key-value model excepted: it runs out of
        // its budget on most files), so the first file timed does not pay for the JIT and the thread pool's start.
        var files = Directory.GetFiles(directory, "*.txt").Order(StringComparer.Ordinal).Select(file => (Name: Path.GetFileName(file), History: Load(file))).ToList();
        foreach ((string name, List<Operation<RegisterInput, int?>> history) in files)
        {
            _ = Linearizability.Check(name.StartsWith("register", StringComparison.Ordinal) ? Register.Model : Register.PartitionedByKey, history, TimeSpan.FromSeconds(30));
        }

        foreach ((string name, List<Operation<RegisterInput, int?>> history) in files)
        {
            if (name.StartsWith("register", StringComparison.Ordinal))
            {
                Time(name + " register", Register.Model, history);
            }
            else
            {
                Time(name + " partitioned", Register.PartitionedByKey, history);
                Time(name + " unpartitioned", HistoryBenchmarks.KvUnpartitioned, history);
            }
        }
    }

    private static void Time<TState>(string name, Model<TState, RegisterInput, int?> model, List<Operation<RegisterInput, int?>> history) =>
        Time(name, history.Count, () => Linearizability.Check(model, history, TimeSpan.FromSeconds(30)).Verdict, TimeSpan.FromSeconds(2), 200);

    private static void Time(string name, int calls, Func<LinearizabilityVerdict> check, TimeSpan budget, int maxRuns)
    {
        LinearizabilityVerdict verdict = default;
        int runs = 0;
        var clock = Stopwatch.StartNew();
        while (runs < maxRuns && (runs < 3 || clock.Elapsed < budget) && (runs == 0 || verdict != LinearizabilityVerdict.Unknown))
        {
            verdict = check();
            runs++;
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name,-34} {calls,-6} calls  {verdict,-16} {clock.Elapsed.TotalMilliseconds / runs,12:F3} ms  ({runs} runs)"));
    }

    private static List<Operation<RegisterInput, int?>> Load(string file) =>
        File.ReadLines(file).Select(line =>
        {
            string[] p = line.Split(' ');
            int N(int i) => int.Parse(p[i], CultureInfo.InvariantCulture);
            return new Operation<RegisterInput, int?>
            {
                ClientId = N(0),
                Input = new RegisterInput(p[2][0], N(3), N(4), N(1)),
                Call = N(5),
                Return = N(6) == -1 ? null : N(6),
                Output = N(7) == -1 ? null : N(7),
            };
        }).ToList();
}
