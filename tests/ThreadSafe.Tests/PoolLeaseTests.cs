using Microsoft.Extensions.ObjectPool;
using ThreadSafe.Testing;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests;

/// <summary>Tests of <see cref="PoolLease{T}"/>, <see cref="ObjectPoolExtensions.Rent{T}"/> and <see cref="DisposablePooledObjectPolicy{T}"/>.</summary>
public sealed class PoolLeaseTests
{
    private sealed class Conn : IDisposable
    {
        private static int s_next;

        public int Id { get; } = Interlocked.Increment(ref s_next);

        public int DisposeCount;

        public bool Broken { get; set; }

        public void Dispose() => Interlocked.Increment(ref DisposeCount);
    }

    private sealed class CountingPool : ObjectPool<Conn>
    {
        public int Returns;

        public override Conn Get() => new();

        public override void Return(Conn obj) => Interlocked.Increment(ref Returns);
    }

    [Fact]
    public void Rent_DisposedTwice_ReturnsTheObjectExactlyOnce()
    {
        var pool = new CountingPool();
        PoolLease<Conn> lease = pool.Rent();
        Assert.NotNull(lease.Value);
        Assert.False(lease.IsDisposed);

        lease.Dispose();
        lease.Dispose();

        Assert.Equal(1, pool.Returns);
        Assert.True(lease.IsDisposed);
    }

    [Fact]
    public void Value_AfterDispose_ThrowsObjectDisposed()
    {
        var pool = new CountingPool();
        PoolLease<Conn> lease = pool.Rent();
        lease.Dispose();

        ObjectDisposedException error = Assert.Throws<ObjectDisposedException>(() => lease.Value);
        Assert.Contains("PoolLease<Conn>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_ConcurrentFromManyThreads_ReturnsOnce()
    {
        var pool = new CountingPool();
        for (int round = 0; round < 200; round++)
        {
            PoolLease<Conn> lease = pool.Rent();
            Concurrently.Run(_ => lease.Dispose(), new ConcurrentRunOptions { Threads = 4, Timeout = TestLimits.Wait, ThreadName = "disposer" });
        }

        Assert.Equal(200, pool.Returns);
    }

    [Fact]
    public void Rent_FromPolicyPool_ReusesTheReturnedObject()
    {
        var policy = new DisposablePooledObjectPolicy<Conn>(() => new Conn());
        ObjectPool<Conn> pool = policy.CreatePool(maximumRetained: 2);
        int firstId;
        using (PoolLease<Conn> lease = pool.Rent())
        {
            firstId = lease.Value.Id;
        }

        using PoolLease<Conn> again = pool.Rent();
        Assert.Equal(firstId, again.Value.Id);
        Assert.Equal(0, again.Value.DisposeCount);
    }

    [Fact]
    public void Return_PoolFullOrResetRejects_DisposesTheDroppedObject()
    {
        var policy = new DisposablePooledObjectPolicy<Conn>(() => new Conn(), reset: c => !c.Broken);
        ObjectPool<Conn> pool = policy.CreatePool(maximumRetained: 1);
        PoolLease<Conn>[] leases = [.. Enumerable.Range(0, 3).Select(_ => pool.Rent())];
        Conn[] conns = [.. leases.Select(l => l.Value)];
        conns[1].Broken = true;

        foreach (PoolLease<Conn> lease in leases)
        {
            lease.Dispose();
        }

        // One is kept (room for 1), the broken one and the one beyond capacity are disposed.
        Assert.Equal(2, conns.Sum(c => c.DisposeCount));
        Assert.Equal(1, conns[1].DisposeCount);
        ((IDisposable)pool).Dispose();
        Assert.True(conns.All(c => c.DisposeCount == 1), "disposing the pool disposes what it retained, each once");
    }

    [Fact]
    public void Return_ResetThrows_DropsAndDisposes()
    {
        var policy = new DisposablePooledObjectPolicy<Conn>(() => new Conn(), reset: _ => throw new InvalidOperationException("cannot reset"));
        ObjectPool<Conn> pool = policy.CreatePool(maximumRetained: 4);
        PoolLease<Conn> lease = pool.Rent();
        Conn conn = lease.Value;

        lease.Dispose();

        Assert.Equal(1, conn.DisposeCount);
    }

    private sealed class ThrowingOnDispose : IDisposable
    {
        public int DisposeCount;

        public void Dispose()
        {
            DisposeCount++;
            throw new InvalidOperationException("dispose failed");
        }
    }

    [Fact]
    public void Dispose_PoolDropsAnObjectWhoseDisposeThrows_DoesNotThrow()
    {
        var policy = new DisposablePooledObjectPolicy<ThrowingOnDispose>(() => new ThrowingOnDispose(), reset: _ => false);
        ObjectPool<ThrowingOnDispose> pool = policy.CreatePool(maximumRetained: 1);
        PoolLease<ThrowingOnDispose> lease = pool.Rent();
        ThrowingOnDispose dropped = lease.Value;

        lease.Dispose();

        Assert.Equal(1, dropped.DisposeCount);
        Assert.True(lease.IsDisposed);
        lease.Dispose(); // still nothing to do, still no exception
    }

    [Fact]
    public void Dispose_PoolReturnThrows_IsContainedAndTheLeaseEnds()
    {
        PoolLease<Conn> lease = new ThrowingPool().Rent();
        lease.Dispose();
        Assert.True(lease.IsDisposed);
        Assert.Contains("PoolLease<Conn>", lease.ToString(), StringComparison.Ordinal);
    }

    private sealed class ThrowingPool : ObjectPool<Conn>
    {
        public override Conn Get() => new();

        public override void Return(Conn obj) => throw new InvalidOperationException("return failed");
    }

    [Fact]
    public void Members_InvalidArguments_ThrowNamingTheArgument()
    {
        Assert.Equal("pool", Assert.Throws<ArgumentNullException>(() => ObjectPoolExtensions.Rent<Conn>(null!)).ParamName);
        Assert.Equal("create", Assert.Throws<ArgumentNullException>(() => new DisposablePooledObjectPolicy<Conn>(null!)).ParamName);
        var policy = new DisposablePooledObjectPolicy<Conn>(() => new Conn());
        Assert.Equal("maximumRetained", Assert.Throws<ArgumentOutOfRangeException>(() => policy.CreatePool(0)).ParamName);
    }
}
