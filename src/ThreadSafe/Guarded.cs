using System.Diagnostics;

namespace ThreadSafe;

/// <summary>
/// A value that owns its lock: every access goes through a delegate that runs while the lock is held,
/// so callers never lock by hand and cannot forget to.
/// </summary>
/// <typeparam name="T">The type of the guarded value.</typeparam>
/// <remarks>
/// <para>
/// Only one delegate runs at a time. The delegates are the point of this type, so they run while the
/// internal lock is held: keep them short and never let the value (or anything reachable from it)
/// escape from one, because a reference kept outside the delegate is no longer guarded. Use
/// <see cref="Snapshot"/> with a copy function when a caller needs the data outside the lock.
/// </para>
/// <para>
/// Calling any member of the same instance from inside one of its delegates throws
/// <see cref="LockRecursionException"/> instead of re-entering silently.
/// </para>
/// </remarks>
[DebuggerDisplay("Guarded<{typeof(T).Name,nq}>")]
public sealed class Guarded<T>
{
    // Guards _value and _busy. Private, so no outside code can lock on it.
    private readonly object _gate = new();

    private readonly Func<T, T>? _copy;

    // Guarded by _gate.
    private T _value;

    // Guarded by _gate. True while a delegate runs. Monitor is re-entrant and exclusive, so when a
    // thread that has just entered _gate sees true, it is the same thread calling from inside its own
    // delegate: recursion is detected without reading the thread id.
    private bool _busy;

    /// <summary>Creates a guard that owns <paramref name="value"/>.</summary>
    /// <param name="value">The initial value. Do not keep another reference to it.</param>
    /// <param name="copy">
    /// Optional function that makes an independent copy of the value; required by <see cref="Snapshot"/>.
    /// It runs while the lock is held.
    /// </param>
    public Guarded(T value, Func<T, T>? copy = null)
    {
        _value = value;
        _copy = copy;
    }

    /// <summary>Gets a value indicating whether this guard was created with a copy function, so <see cref="Snapshot"/> can be called.</summary>
    public bool CanSnapshot => _copy is not null;

    /// <summary>Runs <paramref name="read"/> on the value while holding the lock and returns its result.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="read">Reads the value. It must not keep a reference to the value.</param>
    /// <returns>The result of <paramref name="read"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public TResult Read<TResult>(Func<T, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_gate)
        {
            Enter();
            try
            {
                return read(_value);
            }
            finally
            {
                _busy = false;
            }
        }
    }

    /// <summary>Runs <paramref name="read"/> with caller state while holding the lock; with a static lambda this allocates nothing.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">State passed to <paramref name="read"/>.</param>
    /// <param name="read">Reads the value. It must not keep a reference to the value.</param>
    /// <returns>The result of <paramref name="read"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public TResult Read<TState, TResult>(TState state, Func<T, TState, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_gate)
        {
            Enter();
            try
            {
                return read(_value, state);
            }
            finally
            {
                _busy = false;
            }
        }
    }

    /// <summary>Runs <paramref name="write"/> on the value while holding the lock.</summary>
    /// <param name="write">Mutates the value. It must not keep a reference to the value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public void Write(Action<T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        lock (_gate)
        {
            Enter();
            try
            {
                write(_value);
            }
            finally
            {
                _busy = false;
            }
        }
    }

    /// <summary>Runs <paramref name="write"/> with caller state while holding the lock; with a static lambda this allocates nothing.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <param name="state">State passed to <paramref name="write"/>.</param>
    /// <param name="write">Mutates the value. It must not keep a reference to the value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public void Write<TState>(TState state, Action<T, TState> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        lock (_gate)
        {
            Enter();
            try
            {
                write(_value, state);
            }
            finally
            {
                _busy = false;
            }
        }
    }

    /// <summary>Runs <paramref name="write"/> on the value while holding the lock and returns its result.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="write">Mutates the value and computes a result. It must not return the value itself.</param>
    /// <returns>The result of <paramref name="write"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public TResult Write<TResult>(Func<T, TResult> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        lock (_gate)
        {
            Enter();
            try
            {
                return write(_value);
            }
            finally
            {
                _busy = false;
            }
        }
    }

    /// <summary>Runs <paramref name="write"/> with caller state while holding the lock and returns its result; with a static lambda this allocates nothing.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">State passed to <paramref name="write"/>.</param>
    /// <param name="write">Mutates the value and computes a result. It must not return the value itself.</param>
    /// <returns>The result of <paramref name="write"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public TResult Write<TState, TResult>(TState state, Func<T, TState, TResult> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        lock (_gate)
        {
            Enter();
            try
            {
                return write(_value, state);
            }
            finally
            {
                _busy = false;
            }
        }
    }

    /// <summary>Replaces the value with the result of <paramref name="update"/> while holding the lock; made for immutable values.</summary>
    /// <param name="update">Computes the new value from the current one.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <remarks>If <paramref name="update"/> throws, the value is left unchanged.</remarks>
    public T Update(Func<T, T> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_gate)
        {
            Enter();
            try
            {
                return _value = update(_value);
            }
            finally
            {
                _busy = false;
            }
        }
    }

    /// <summary>Replaces the value with the result of <paramref name="update"/>, given caller state, while holding the lock.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <param name="state">State passed to <paramref name="update"/>.</param>
    /// <param name="update">Computes the new value from the current one and the state.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public T Update<TState>(TState state, Func<T, TState, T> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_gate)
        {
            Enter();
            try
            {
                return _value = update(_value, state);
            }
            finally
            {
                _busy = false;
            }
        }
    }

    /// <summary>Runs <paramref name="write"/> if the lock can be taken within <paramref name="timeout"/>.</summary>
    /// <param name="write">Mutates the value. It must not keep a reference to the value.</param>
    /// <param name="timeout">How long to wait for the lock; <see cref="TimeSpan.Zero"/> tries once without waiting.</param>
    /// <returns><see langword="true"/> if <paramref name="write"/> ran; <see langword="false"/> if the lock was not free in time.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="timeout"/> is negative (including <see cref="Timeout.InfiniteTimeSpan"/>: use <see cref="Write(Action{T})"/>
    /// to wait without a limit) or longer than <see cref="int.MaxValue"/> milliseconds.
    /// </exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public bool TryWrite(Action<T> write, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(write);
        Timeouts.ThrowIfNotFinite(timeout);
        bool taken = false;
        try
        {
            Monitor.TryEnter(_gate, timeout, ref taken);
            if (!taken)
            {
                return false;
            }

            Enter();
            try
            {
                write(_value);
            }
            finally
            {
                _busy = false;
            }

            return true;
        }
        finally
        {
            if (taken)
            {
                Monitor.Exit(_gate);
            }
        }
    }

    /// <summary>Returns an independent copy of the value, made by the copy function while holding the lock.</summary>
    /// <returns>A copy that the caller may use freely outside the lock.</returns>
    /// <exception cref="InvalidOperationException">The guard was created without a copy function.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public T Snapshot()
    {
        if (_copy is null)
        {
            throw new InvalidOperationException(
                $"Snapshot needs a copy function: create the guard with new Guarded<{typeof(T).Name}>(value, copy: v => /* deep copy of v */). " +
                "Handing out the guarded reference itself would let callers use it without the lock.");
        }

        lock (_gate)
        {
            Enter();
            try
            {
                return _copy(_value);
            }
            finally
            {
                _busy = false;
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"Guarded<{typeof(T).Name}>";

    // Called with _gate held. Marks the instance busy or throws on a call from inside a delegate.
    private void Enter()
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Enter must be called with the lock held.");
        if (_busy)
        {
            throw Recursion.Detected(this);
        }

        _busy = true;
    }
}
