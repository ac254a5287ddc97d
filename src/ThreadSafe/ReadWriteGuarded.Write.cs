namespace ThreadSafe;

/// <content>The members that run under the write lock: alone, with no reader or other writer inside.</content>
public sealed partial class ReadWriteGuarded<T>
{
    /// <summary>Runs <paramref name="write"/> on the value while holding the write lock, with no reader or other writer inside.</summary>
    /// <param name="write">Mutates the value. It must not keep a reference to the value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance (including a write from inside a read).</exception>
    public void Write(Action<T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Run<WriteSide, ActionBody<T>, NoResult>(new(write), nameof(Write), nameof(write));
    }

    /// <summary>Runs <paramref name="write"/> with caller state while holding the write lock; with a static lambda this allocates nothing.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <param name="state">State passed to <paramref name="write"/>.</param>
    /// <param name="write">Mutates the value. It must not keep a reference to the value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance (including a write from inside a read).</exception>
    public void Write<TState>(TState state, Action<T, TState> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Run<WriteSide, StateActionBody<T, TState>, NoResult>(new(write, state), nameof(Write), nameof(write));
    }

    /// <summary>Runs <paramref name="write"/> on the value while holding the write lock and returns its result.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="write">Mutates the value and computes a result. It must not return the value itself.</param>
    /// <returns>The result of <paramref name="write"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance (including a write from inside a read).</exception>
    public TResult Write<TResult>(Func<T, TResult> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return Run<WriteSide, FuncBody<T, TResult>, TResult>(new(write), nameof(Write), nameof(write));
    }

    /// <summary>Runs <paramref name="write"/> with caller state while holding the write lock and returns its result; with a static lambda this allocates nothing.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">State passed to <paramref name="write"/>.</param>
    /// <param name="write">Mutates the value and computes a result. It must not return the value itself.</param>
    /// <returns>The result of <paramref name="write"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance (including a write from inside a read).</exception>
    public TResult Write<TState, TResult>(TState state, Func<T, TState, TResult> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return Run<WriteSide, StateFuncBody<T, TState, TResult>, TResult>(new(write, state), nameof(Write), nameof(write));
    }

    /// <summary>Replaces the value with the result of <paramref name="update"/> while holding the write lock; made for immutable values.</summary>
    /// <param name="update">Computes the new value from the current one.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance (including from inside a read).</exception>
    /// <remarks>If <paramref name="update"/> throws, the value is left unchanged.</remarks>
    public T Update(Func<T, T> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Run<WriteSide, UpdateBody<T>, T>(new(update), nameof(Update), nameof(update));
    }

    /// <summary>Replaces the value with the result of <paramref name="update"/>, given caller state, while holding the write lock.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <param name="state">State passed to <paramref name="update"/>.</param>
    /// <param name="update">Computes the new value from the current one and the state.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance (including from inside a read).</exception>
    /// <remarks>If <paramref name="update"/> throws, the value is left unchanged.</remarks>
    public T Update<TState>(TState state, Func<T, TState, T> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Run<WriteSide, StateUpdateBody<T, TState>, T>(new(update, state), nameof(Update), nameof(update));
    }

    /// <summary>Runs <paramref name="write"/> if the write lock can be taken within <paramref name="timeout"/>.</summary>
    /// <param name="write">Mutates the value. It must not keep a reference to the value.</param>
    /// <param name="timeout">
    /// How long to wait for the readers and any other writer to leave; <see cref="TimeSpan.Zero"/> tries once
    /// without waiting. While it waits, new readers wait too; if it gives up, they are let in.
    /// </param>
    /// <returns><see langword="true"/> if <paramref name="write"/> ran; <see langword="false"/> if the lock was not free in time.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="timeout"/> is negative (including <see cref="Timeout.InfiniteTimeSpan"/>: use <see cref="Write(Action{T})"/>
    /// to wait without a limit) or longer than <see cref="int.MaxValue"/> milliseconds.
    /// </exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance (including from inside a read).</exception>
    public bool TryWrite(Action<T> write, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(write);
        Timeouts.ThrowIfNotFinite(timeout);
        return TryRun<WriteSide, ActionBody<T>, NoResult>(new(write), timeout, nameof(TryWrite), nameof(write), out _);
    }
}
