using System.Diagnostics;
using System.Diagnostics.Metrics;
using ThreadSafe.Diagnostics;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// A round-robin (A B C A B C ...) measurement of the uncontended cost of a guard acquisition (<see cref="Guarded{T}"/>,
/// and both sides of <see cref="ReadWriteGuarded{T}"/>) against a hand-written <c>lock</c>, with diagnostics off and on, for machines too loaded for BenchmarkDotNet's separate runs:
/// every round measures every contender back to back and the ratio is taken per round, so a change of the machine's
/// speed between rounds cancels out. Prints the median ns/op and the median ratio to the hand-written lock.
/// Run: <c>dotnet run -c Release --project tests/ThreadSafe.Benchmarks -- guard-cost</c>.
/// </summary>
internal static class GuardedInterleavedCost
{
    private const int Ops = 200_000;
    private const int Rounds = 31;

    public static void Run()
    {
        var gate = new object();
        var plain = new Counter();
        var guarded = new Guarded<Counter>(new Counter(), name: "outer");
        var inner = new Guarded<Counter>(new Counter(), name: "inner");
        var readWrite = new ReadWriteGuarded<Counter>(new Counter(), name: "read-write");
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name.StartsWith("threadsafe.lock.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        listener.Start();
        var contenders = new (string Name, Diagnosis Mode, Action Loop)[]
        {
            ("hand-written lock", Diagnosis.Off, () =>
            {
                for (int i = 0; i < Ops; i++)
                {
                    lock (gate)
                    {
                        plain.Value++;
                    }
                }
            }),
            ("Guarded.Write(state, static) [checking off]", Diagnosis.Off, () =>
            {
                for (int i = 0; i < Ops; i++)
                {
                    guarded.Write(1L, static (c, d) => c.Value += d);
                }
            }),
            ("Guarded.Write(static) [checking off]", Diagnosis.Off, () =>
            {
                for (int i = 0; i < Ops; i++)
                {
                    guarded.Write(static c => c.Value++);
                }
            }),
            ("Guarded.Write(state, static) [checking on]", Diagnosis.LockOrder, () =>
            {
                for (int i = 0; i < Ops; i++)
                {
                    guarded.Write(1L, static (c, d) => c.Value += d);
                }
            }),
            ("Guarded.Write(state, static) [holder tracking on]", Diagnosis.Tracking, () =>
            {
                for (int i = 0; i < Ops; i++)
                {
                    guarded.Write(1L, static (c, d) => c.Value += d);
                }
            }),
            ("Guarded.Write(state, static) [tracking + metrics, listener attached]", Diagnosis.Metrics, () =>
            {
                for (int i = 0; i < Ops; i++)
                {
                    guarded.Write(1L, static (c, d) => c.Value += d);
                }
            }),
            ("ReadWriteGuarded.Read(state, static) [checking off]", Diagnosis.Off, () =>
            {
                long sum = 0;
                for (int i = 0; i < Ops; i++)
                {
                    sum += readWrite.Read(1L, static (c, d) => c.Value + d);
                }

                GC.KeepAlive(sum);
            }),
            ("ReadWriteGuarded.Write(state, static) [checking off]", Diagnosis.Off, () =>
            {
                for (int i = 0; i < Ops; i++)
                {
                    readWrite.Write(1L, static (c, d) => c.Value += d);
                }
            }),
            ("ReadWriteGuarded.Write(state, static) [holder tracking on]", Diagnosis.Tracking, () =>
            {
                for (int i = 0; i < Ops; i++)
                {
                    readWrite.Write(1L, static (c, d) => c.Value += d);
                }
            }),
            ("nested outer+inner, known order [checking off] (2 acquisitions)", Diagnosis.Off, () =>
            {
                for (int i = 0; i < Ops; i++)
                {
                    guarded.Write(inner, static (_, g) => g.Write(1L, static (c, d) => c.Value += d));
                }
            }),
            ("nested outer+inner, known order [checking on] (2 acquisitions)", Diagnosis.LockOrder, () =>
            {
                for (int i = 0; i < Ops; i++)
                {
                    guarded.Write(inner, static (_, g) => g.Write(1L, static (c, d) => c.Value += d));
                }
            }),
        };

        var nsPerOp = new double[contenders.Length][];
        for (int c = 0; c < contenders.Length; c++)
        {
            nsPerOp[c] = new double[Rounds];
        }

        for (int round = -3; round < Rounds; round++)
        {
            for (int c = 0; c < contenders.Length; c++)
            {
                Switch(contenders[c].Mode);
                long start = Stopwatch.GetTimestamp();
                contenders[c].Loop();
                double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Ops;
                Switch(Diagnosis.Off);
                if (round >= 0)
                {
                    nsPerOp[c][round] = ns;
                }
            }
        }

        Console.WriteLine($"{Rounds} interleaved rounds of {Ops:N0} operations each, uncontended; medians:");
        Console.WriteLine("| contender | ns/op | ratio to hand-written lock |");
        Console.WriteLine("|---|---:|---:|");
        for (int c = 0; c < contenders.Length; c++)
        {
            double[] ratios = Enumerable.Range(0, Rounds).Select(r => nsPerOp[c][r] / nsPerOp[0][r]).ToArray();
            Console.WriteLine($"| {contenders[c].Name} | {Median(nsPerOp[c]):F1} | {Median(ratios):F2} |");
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int edgesBefore = LockOrder.EdgeCount;
        LockOrder.Enable(LockOrderMode.Throw);
        const int NewOrders = 1_000;
        var pairs = Enumerable.Range(0, NewOrders).Select(_ => (new Guarded<int>(0), new Guarded<int>(0))).ToArray();
        long afterGuards = GC.GetAllocatedBytesForCurrentThread();
        foreach ((Guarded<int> a, Guarded<int> b) in pairs)
        {
            a.Write(b, static (_, g) => g.Write(static _ => { }));
        }

        long after = GC.GetAllocatedBytesForCurrentThread();
        LockOrder.Disable();
        Console.WriteLine(
            $"Recording {LockOrder.EdgeCount - edgesBefore:N0} new orders allocated {(after - afterGuards) / (double)NewOrders:N0} bytes per order " +
            $"(the 1,000 guard pairs themselves: {(afterGuards - before) / (double)NewOrders:N0} bytes per pair); " +
            $"retained per order: the edge, its stack text ({pairs.Length} stacks) and a slot in the successor array.");
        LockOrder.Reset();
        GC.KeepAlive(pairs);
    }

    private static void Switch(Diagnosis mode)
    {
        LockOrder.Enable(mode == Diagnosis.LockOrder ? LockOrderMode.Throw : LockOrderMode.Off);
        if (mode is Diagnosis.Tracking or Diagnosis.Metrics)
        {
            LockDiagnostics.Enable(new LockDiagnosticsOptions { Metrics = mode == Diagnosis.Metrics });
        }
        else
        {
            LockDiagnostics.Disable();
        }
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }

    private sealed class Counter
    {
        public long Value;
    }

    private enum Diagnosis
    {
        Off,
        LockOrder,
        Tracking,
        Metrics,
    }
}
