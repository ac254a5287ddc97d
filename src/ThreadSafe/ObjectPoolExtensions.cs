using Microsoft.Extensions.ObjectPool;

namespace ThreadSafe;

/// <summary>Leases over <see cref="ObjectPool{T}"/>: the rented object goes back exactly once, by <c>using</c>.</summary>
public static class ObjectPoolExtensions
{
    /// <summary>Rents an object from <paramref name="pool"/> as a lease that returns it when disposed.</summary>
    /// <typeparam name="T">The type of the pooled objects.</typeparam>
    /// <param name="pool">The pool to rent from.</param>
    /// <returns>A lease whose <see cref="PoolLease{T}.Value"/> is the rented object.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> is <see langword="null"/>.</exception>
    public static PoolLease<T> Rent<T>(this ObjectPool<T> pool)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(pool);
        return new PoolLease<T>(pool, pool.Get());
    }
}
