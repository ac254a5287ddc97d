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

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
