using System.Diagnostics;
using Microsoft.Extensions.ObjectPool;

namespace ThreadSafe;

/// <summary>
/// An object rented from an <see cref="ObjectPool{T}"/> that goes back to the pool exactly once, when the lease is disposed:
/// <c>using var lease = pool.Rent(); Use(lease.Value);</c>.
/// </summary>
/// <typeparam name="T">The type of the pooled objects.</typeparam>
/// <remarks>
/// A lease is a class, not a struct, so that copies cannot return the same object twice. Disposing it a second time does
/// nothing; reading <see cref="Value"/> after disposal throws <see cref="ObjectDisposedException"/>. Dispose the lease on
/// any thread, but only once the object is no longer used: after that, another renter may already hold it.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class PoolLease<T> : IDisposable
    where T : class
{
    private readonly ObjectPool<T> _pool;

    // The rented object until disposal, then null. Interlocked.Exchange makes "return it" happen exactly once even if
    // two threads dispose at the same time; a Value read racing with Dispose sees either the object or null.
    private T? _value;

    internal PoolLease(ObjectPool<T> pool, T value)
    {
        _pool = pool;
        _value = value;
    }

    /// <summary>Gets the rented object. Do not keep it beyond the lease.</summary>
    /// <exception cref="ObjectDisposedException">The lease was disposed: the object is back in the pool.</exception>
    public T Value => Volatile.Read(ref _value) ?? throw new ObjectDisposedException(
        ToString(), "The lease was disposed and its object returned to the pool; rent a new one.");

    /// <summary>Gets a value indicating whether the lease was disposed (its object returned to the pool).</summary>
    public bool IsDisposed => Volatile.Read(ref _value) is null;

    /// <summary>Returns the object to the pool; later calls do nothing.</summary>
    public void Dispose()
    {
        T? value = Interlocked.Exchange(ref _value, null);
        if (value is not null)
        {
            _pool.Return(value);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"PoolLease<{typeof(T).Name}>";
}
