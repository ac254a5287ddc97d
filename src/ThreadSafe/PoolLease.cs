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

    /// <summary>Returns the object to the pool; later calls do nothing. Never throws.</summary>
    /// <remarks>
    /// The pool may drop the object instead of keeping it (it is full, or its policy rejects the object) and dispose it.
    /// If that throws (the object's <see cref="IDisposable.Dispose"/> fails, or the pool's <c>Return</c> does), the
    /// exception is caught and written to <see cref="Trace"/> (<see cref="Trace.TraceError(string)"/>), because a lease's
    /// dispose runs at the end of a <c>using</c> block, where a throw would replace the block's own exception. The lease
    /// is disposed either way.
    /// </remarks>
    public void Dispose()
    {
        T? value = Interlocked.Exchange(ref _value, null);
        if (value is null)
        {
            return;
        }

        try
        {
            _pool.Return(value);
        }
        catch (Exception ex)
        {
            Trace.TraceError($"{this}: returning the object to the pool threw (the pool dropped it; its Dispose may have failed): {ex}");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"PoolLease<{TypeNames.Format(typeof(T))}>";
}
