// Two threads reading one ReadWriteGuarded<T> at once, against ReaderWriterLockSlim (see ReadWriteGuardedBenchmarks.cs).
//   dotnet run -c Release --project tests/ThreadSafe.Benchmarks -- --filter '*ReadWriteGuarded*'
using BenchmarkDotNet.Attributes;

namespace ThreadSafe.Benchmarks;

/// <summary>Two threads reading at once: both contend for the same state word (or RWLS's internals).</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ReadWriteGuardedTwoThreadReadBenchmarks
{
    private const int ReadsPerThread = 100_000;

    private readonly ReadWriteGuarded<ReadWriteGuardedBenchmarks.Data> _guarded = new(new ReadWriteGuardedBenchmarks.Data());
    private readonly ReaderWriterLockSlim _rwls = new(LockRecursionPolicy.NoRecursion);
    private readonly ReadWriteGuardedBenchmarks.Data _data = new();

    [GlobalCleanup]
    public void Cleanup() => _rwls.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * ReadsPerThread)]
    public int RwlsRead2Threads()
    {
        Task<int> other = Task.Run(RwlsLoop);
        return RwlsLoop() + other.GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = 2 * ReadsPerThread)]
    public int GuardedRead2Threads()
    {
        Task<int> other = Task.Run(GuardedLoop);
        return GuardedLoop() + other.GetAwaiter().GetResult();
    }

    private int RwlsLoop()
    {
        int sum = 0;
        for (int i = 0; i < ReadsPerThread; i++)
        {
            _rwls.EnterReadLock();
            try
            {
                sum += _data.Value;
            }
            finally
            {
                _rwls.ExitReadLock();
            }
        }

        return sum;
    }

    private int GuardedLoop()
    {
        int sum = 0;
        for (int i = 0; i < ReadsPerThread; i++)
        {
            sum += _guarded.Read(1, static (d, s) => d.Value + s);
        }

        return sum;
    }
}
