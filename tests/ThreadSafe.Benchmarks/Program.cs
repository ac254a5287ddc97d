// Benchmarks against the BCL baselines. Run all, or filter, in Release:
//   dotnet run -c Release --project tests/ThreadSafe.Benchmarks -- --filter '*Guarded*'
// Contenders are measured in the same run and quoted as ratios to the baseline (see docs/benchmarks.md).
using BenchmarkDotNet.Running;

if (args is ["guard-cost", ..])
{
    ThreadSafe.Benchmarks.GuardedInterleavedCost.Run();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
