using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using ThreadSafe.Diagnostics;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// What holder tracking and contention metrics cost per uncontended acquisition, against a hand-written <c>lock</c> in
/// the same run: diagnostics off (the default), holder tracking on, tracking with metrics and a listener attached.
/// </summary>
[MemoryDiagnoser]
public class LockDiagnosticsBenchmarks() : GuardedCostBenchmarkBase("bench guarded")
{
    private readonly ReadWriteGuarded<Counter> _readWrite = new(new Counter(), name: "bench rw");
    private MeterListener? _listener;

    /// <summary>What is switched on.</summary>
    public enum Diagnosis
    {
        /// <summary>Nothing (the default).</summary>
        Off,

        /// <summary>Holder and waiter tracking.</summary>
        Tracking,

        /// <summary>Tracking and metrics, with a listener that takes every measurement.</summary>
        Metrics,
    }

    /// <summary>What diagnostics are on.</summary>
    [Params(Diagnosis.Off, Diagnosis.Tracking, Diagnosis.Metrics)]
    public Diagnosis Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name.StartsWith("threadsafe.lock.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _listener.Start();
        if (Mode == Diagnosis.Off)
        {
            LockDiagnostics.Disable();
        }
        else
        {
            LockDiagnostics.Enable(new LockDiagnosticsOptions { Metrics = Mode == Diagnosis.Metrics });
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        LockDiagnostics.Disable();
        _listener?.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public void ReadWriteGuardedRead()
    {
        long sum = 0;
        for (int i = 0; i < Ops; i++)
        {
            sum += _readWrite.Read(1L, static (c, d) => c.Value + d);
        }

        Plain.Sink = sum;
    }
}
