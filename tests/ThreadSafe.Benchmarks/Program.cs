// Benchmarks against the BCL baselines. Run all, or filter, in Release:
//   dotnet run -c Release --project tests/ThreadSafe.Benchmarks -- --filter '*Guarded*'
// Contenders are measured in the same run and quoted as ratios to the baseline (see docs/benchmarks.md).
using BenchmarkDotNet.Running;

if (args is ["guard-cost", ..])
{
    ThreadSafe.Benchmarks.GuardedInterleavedCost.Run();
    return;
}

if (args is ["export-histories", string directory])
{
    ThreadSafe.Benchmarks.HistoryBenchmarks.Export(directory); // the history benchmarks' inputs, for other checkers
    return;
}

if (args is ["time-histories", string historyDirectory])
{
    ThreadSafe.Benchmarks.HistoryTiming.Run(historyDirectory); // the same files a Porcupine driver times
    return;
}

if (args is ["batch-latency", .. string[] latencyArgs])
{
    // p99 of single items under a trickle with a batch handler: batch-latency [MaxBatchDelay ms] [gap between items ms]
    ThreadSafe.Benchmarks.WorkQueueBatchLatency.Run(
        delayMs: latencyArgs.Length > 0 ? int.Parse(latencyArgs[0], System.Globalization.CultureInfo.InvariantCulture) : 5,
        gapMs: latencyArgs.Length > 1 ? int.Parse(latencyArgs[1], System.Globalization.CultureInfo.InvariantCulture) : 1);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
