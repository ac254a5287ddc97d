using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ThreadSafe;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// <see cref="AsyncGuarded{T}"/> against the usual hand-written async lock, <c>SemaphoreSlim(1, 1)</c>
/// with WaitAsync/Release, uncontended and with two concurrent tasks. Run with a short job:
/// dotnet run -c Release --project tests/ThreadSafe.Benchmarks -- --filter '*AsyncGuardedBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AsyncGuardedBenchmarks
{
    private const int OpsPerTask = 1_000;

    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private readonly int[] _semaphoreCounter = new int[1];
    private readonly AsyncGuarded<int[]> _guarded = new(new int[1]);

    [Benchmark(Baseline = true, Description = "SemaphoreSlim WaitAsync/Release")]
    [BenchmarkCategory("Uncontended")]
    public async Task Semaphore_Uncontended()
    {
        await _semaphore.WaitAsync().ConfigureAwait(false);
        try
        {
            _semaphoreCounter[0]++;
        }
        finally
        {
            _semaphore.Release();
        }
    }

    [Benchmark(Description = "AsyncGuarded WriteAsync(state, sync)")]
    [BenchmarkCategory("Uncontended")]
    public ValueTask Guarded_Uncontended() => _guarded.WriteAsync(1, static (a, x) => { a[0] += x; });

    [Benchmark(Description = "AsyncGuarded WriteAsync(async delegate)")]
    [BenchmarkCategory("Uncontended")]
    public ValueTask Guarded_AsyncDelegate_Uncontended() => _guarded.WriteAsync(static (a, ct) =>
    {
        a[0]++;
        return ValueTask.CompletedTask;
    });

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * OpsPerTask, Description = "SemaphoreSlim WaitAsync/Release")]
    [BenchmarkCategory("2 tasks")]
    public Task Semaphore_TwoTasks() => Task.WhenAll(Task.Run(SemaphoreLoop), Task.Run(SemaphoreLoop));

    [Benchmark(OperationsPerInvoke = 2 * OpsPerTask, Description = "AsyncGuarded WriteAsync(state, sync)")]
    [BenchmarkCategory("2 tasks")]
    public Task Guarded_TwoTasks() => Task.WhenAll(Task.Run(GuardedLoop), Task.Run(GuardedLoop));

    private async Task SemaphoreLoop()
    {
        for (int i = 0; i < OpsPerTask; i++)
        {
            await _semaphore.WaitAsync().ConfigureAwait(false);
            try
            {
                _semaphoreCounter[0]++;
            }
            finally
            {
                _semaphore.Release();
            }
        }
    }

    private async Task GuardedLoop()
    {
        for (int i = 0; i < OpsPerTask; i++)
        {
            await _guarded.WriteAsync(1, static (a, x) => { a[0] += x; }).ConfigureAwait(false);
        }
    }
}
