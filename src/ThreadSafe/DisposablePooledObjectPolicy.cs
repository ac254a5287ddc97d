using Microsoft.Extensions.ObjectPool;

namespace ThreadSafe;

/// <summary>
/// A pooling policy for disposable resources (connections, buffers with native memory) made by a factory, with an
/// optional reset that decides whether a returned object may be reused.
/// </summary>
/// <typeparam name="T">The type of the pooled resources.</typeparam>
/// <remarks>
/// <para>
/// Microsoft.Extensions.ObjectPool already disposes what it drops, but only in the pool that
/// <see cref="DefaultObjectPoolProvider"/> creates for an <see cref="IDisposable"/> type: that pool disposes an object
/// returned while the pool is full or rejected by <see cref="Return"/>, and disposes the retained objects when the pool
/// itself is disposed. A <see cref="DefaultObjectPool{T}"/> constructed directly drops such objects without disposing
/// them. <see cref="CreatePool"/> therefore builds the pool through the provider. What the package lacks, and this
/// policy adds, is creation by a factory (<see cref="DefaultPooledObjectPolicy{T}"/> needs a parameterless constructor)
/// and a reset that may reject an object.
/// </para>
/// <para>The factory and the reset may run on any thread renting or returning, concurrently; they must be thread-safe.</para>
/// </remarks>
public sealed class DisposablePooledObjectPolicy<T> : PooledObjectPolicy<T>
    where T : class, IDisposable
{
    private readonly Func<T> _create;
    private readonly Func<T, bool>? _reset;

    /// <summary>Creates a policy that makes objects with <paramref name="create"/>.</summary>
    /// <param name="create">Makes a new object when the pool has none to hand out.</param>
    /// <param name="reset">
    /// Optional. Prepares a returned object for reuse and returns <see langword="true"/>, or returns <see langword="false"/>
    /// (or throws) to have the pool drop and dispose it, for example a connection that is no longer open.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is <see langword="null"/>.</exception>
    public DisposablePooledObjectPolicy(Func<T> create, Func<T, bool>? reset = null)
    {
        ArgumentNullException.ThrowIfNull(create);
        _create = create;
        _reset = reset;
    }

    /// <summary>Makes a new object with the factory.</summary>
    /// <returns>The new object.</returns>
    public override T Create() => _create();

    /// <summary>Runs the reset, if any, and tells the pool whether to keep <paramref name="obj"/>.</summary>
    /// <param name="obj">The returned object.</param>
    /// <returns><see langword="true"/> to keep the object; <see langword="false"/> to have the pool drop and dispose it.</returns>
    public override bool Return(T obj)
    {
        if (_reset is null)
        {
            return true;
        }

        try
        {
            return _reset(obj);
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Creates a pool with this policy through <see cref="DefaultObjectPoolProvider"/>, so dropped objects get disposed.</summary>
    /// <param name="maximumRetained">How many idle objects the pool keeps; more are disposed when returned.</param>
    /// <returns>A pool that also disposes its retained objects when it is disposed (it implements <see cref="IDisposable"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maximumRetained"/> is less than 1.</exception>
    public ObjectPool<T> CreatePool(int maximumRetained)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maximumRetained, 1);
        return new DefaultObjectPoolProvider { MaximumRetained = maximumRetained }.Create(this);
    }
}
