// ReadWriteGuarded<T> against ReaderWriterLockSlim, uncontended and with two reading threads.
//   dotnet run -c Release --project tests/ThreadSafe.Benchmarks -- --filter '*ReadWriteGuarded*'
// Target: uncontended Read <= 1.5x RWLS EnterReadLock/ExitReadLock; 0 bytes per call on the state-passing overloads.
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace ThreadSafe.Benchmarks;

/// <summary>One thread: the cost of taking and releasing the lock around a trivial delegate.</summary>
[MemoryDiagnoser]
[ShortRunJob]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ReadWriteGuardedBenchmarks
{
    private readonly ReadWriteGuarded<Data> _guarded = new(new Data());
    private readonly ReaderWriterLockSlim _rwls = new(LockRecursionPolicy.NoRecursion);
    private readonly Data _data = new();

    [GlobalCleanup]
    public void Cleanup() => _rwls.Dispose();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Read")]
    public int RwlsRead()
    {
        _rwls.EnterReadLock();
        try
        {
            return _data.Value + 1;
        }
        finally
        {
            _rwls.ExitReadLock();
        }
    }

    [Benchmark]
    [BenchmarkCategory("Read")]
    public int GuardedReadState() => _guarded.Read(1, static (d, s) => d.Value + s);

    [Benchmark]
    [BenchmarkCategory("Read")]
    public int GuardedReadStaticLambda() => _guarded.Read(static d => d.Value + 1);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Write")]
    public void RwlsWrite()
    {
        _rwls.EnterWriteLock();
        try
        {
            _data.Value += 1;
        }
        finally
        {
            _rwls.ExitWriteLock();
        }
    }

    [Benchmark]
    [BenchmarkCategory("Write")]
    public void GuardedWriteState() => _guarded.Write(1, static (d, s) => d.Value += s);

    public sealed class Data
    {
        public int Value { get; set; } = 42;
    }
}
