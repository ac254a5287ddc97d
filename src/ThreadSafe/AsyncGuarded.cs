using System.Diagnostics;
using ThreadSafe.Diagnostics;

// Every overload ends with an optional CancellationToken, the BCL convention for async APIs; the overloads
// differ in their delegate types, so adding more later cannot make an existing call ambiguous.

namespace ThreadSafe;

/// <summary>
/// A value that owns an asynchronous lock: every access goes through a delegate that runs while the lock
/// is held, and callers wait for their turn with <see langword="await"/> instead of blocking a thread.
/// </summary>
/// <typeparam name="T">The type of the guarded value.</typeparam>
/// <remarks>
/// <para>
/// One delegate runs at a time, reads included: the lock is exclusive. Waiters are served strictly in
/// the order they started waiting (FIFO); on release the lock is handed directly to the first waiter,
/// so a newcomer can never overtake the queue. An uncontended call acquires the lock synchronously and,
/// with a synchronous delegate, completes synchronously without allocating.
/// </para>
/// <para>
/// Synchronous delegates (<see cref="Func{T, TResult}"/>, <see cref="Action{T}"/>) run on the thread that
/// acquired the lock. Asynchronous delegates (<c>(value, cancellationToken) =&gt; ValueTask</c>) keep the
/// lock across their awaits until the returned task completes. Either way, never let the value escape
/// from a delegate: a reference kept outside is no longer guarded. Use <see cref="SnapshotAsync"/> with
/// a copy function when a caller needs the data outside the lock.
/// </para>
/// <para>
/// Calling any member of the same instance from inside one of its delegates (also after an await inside
/// an asynchronous delegate) throws <see cref="LockRecursionException"/> instead of deadlocking.
/// </para>
/// <para>
/// What a delegate may do: read and change the value, await (asynchronous overloads only: the lock is held until the
/// returned task completes), call other guards (nested locking; see <c>ThreadSafe.Diagnostics.LockOrder</c> to check the
/// order), throw (the exception goes to the returned task and the lock is released; <c>UpdateAsync</c> leaves the value
/// unchanged). What it may not do: be an <see langword="async"/> lambda passed to a synchronous overload (refused with
/// <see cref="ArgumentException"/> before the lock is taken; a non-async delegate that returns a stored task as data is
/// accepted), call back into the same instance (<see cref="LockRecursionException"/>), or never complete (every later
/// caller then waits until its token is cancelled).
/// </para>
/// <para>
/// Cancellation applies to the wait only. A waiter whose token is cancelled while it is queued leaves the
/// queue, never acquires the lock and never runs its delegate; the call ends as canceled. Once the lock
/// has been handed to a waiter, the token no longer cancels the call: the delegate runs (it receives the
/// token and may observe it itself).
/// </para>
/// </remarks>
[DebuggerDisplay("{Name,nq} ({DebuggerState,nq})")]
[DebuggerTypeProxy(typeof(GuardedDebugView<>))]
public sealed partial class AsyncGuarded<T> : IInspectableGuard<T>
{
    private readonly Func<T, T>? _copy;

    // Guarded by the asynchronous lock (not by _gate): read and written only by the current holder.
    // Ownership passes between holders through _gate and a task completion, both full fences.
    private T _value;

    // Name, lock class, lock-order node, holder tracking and metrics switch, shared in shape by every guard type.
    private GuardedIdentity _identity;

    /// <summary>Creates a guard that owns <paramref name="value"/>.</summary>
    /// <param name="value">The initial value. Do not keep another reference to it.</param>
    /// <param name="copy">
    /// Optional function that makes an independent copy of the value; required by <see cref="SnapshotAsync"/>.
    /// It runs while the lock is held.
    /// </param>
    /// <param name="name">Optional name shown in messages, lock-order reports and the debugger; default: the type and a short id.</param>
    /// <param name="lockClass">
    /// Optional lock class for lock-order checking (<see cref="LockOrder"/>): guards of one class share one place in the
    /// order graph, so an order seen with one instance is checked against all. Default: each guard on its own.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="lockClass"/> is empty or white space.</exception>
    public AsyncGuarded(T value, Func<T, T>? copy = null, string? name = null, string? lockClass = null)
    {
        _identity = new GuardedIdentity(name, lockClass);
        _value = value;
        _copy = copy;
    }

    /// <summary>Gets the name shown in messages, lock-order reports and the debugger: the one given at construction, or the type and a short id.</summary>
    public string Name => _identity.Name(this);

    /// <inheritdoc cref="Guarded{T}.RecordsMetrics"/>
    public bool RecordsMetrics
    {
        get => _identity.RecordsMetrics;
        set => _identity.SetRecordsMetrics(value);
    }

    private LockOrderNode OrderNode => _identity.OrderNode(this);

    /// <summary>Gets a value indicating whether this guard was created with a copy function, so <see cref="SnapshotAsync"/> can be called.</summary>
    public bool CanSnapshot => _copy is not null;

    /// <summary>Waits for the lock, runs <paramref name="read"/> on the value and returns its result.</summary>
    /// <typeparam name="TResult">The type of the result. An <see langword="async"/> delegate is refused: use the overload taking an asynchronous delegate.</typeparam>
    /// <param name="read">Reads the value. It must not keep a reference to the value.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    /// <returns>The result of <paramref name="read"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is an <see langword="async"/> lambda bound to the synchronous overload (a non-async delegate that returns a stored task is fine).</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    public ValueTask<TResult> ReadAsync<TResult>(Func<T, TResult> read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Run<FuncBody<T, TResult>, TResult>(new(read), nameof(ReadAsync), nameof(read), cancellationToken);
    }

    /// <summary>Waits for the lock and runs <paramref name="read"/> with caller state; with a static lambda an uncontended call allocates nothing.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">State passed to <paramref name="read"/>.</param>
    /// <param name="read">Reads the value. It must not keep a reference to the value.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    /// <returns>The result of <paramref name="read"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is an <see langword="async"/> lambda bound to the synchronous overload.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    public ValueTask<TResult> ReadAsync<TState, TResult>(TState state, Func<T, TState, TResult> read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Run<StateFuncBody<T, TState, TResult>, TResult>(new(read, state), nameof(ReadAsync), nameof(read), cancellationToken);
    }

    /// <summary>Waits for the lock and runs <paramref name="write"/> on the value.</summary>
    /// <param name="write">Mutates the value. It must not keep a reference to the value.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    /// <returns>A task that completes when <paramref name="write"/> has run and the lock is released.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="write"/> is an <see langword="async"/> (async void) method.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    public ValueTask WriteAsync(Action<T> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return RunVoid<ActionBody<T>>(new(write), nameof(WriteAsync), nameof(write), cancellationToken);
    }

    /// <summary>Waits for the lock and runs <paramref name="write"/> with caller state; with a static lambda an uncontended call allocates nothing.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <param name="state">State passed to <paramref name="write"/>.</param>
    /// <param name="write">Mutates the value. It must not keep a reference to the value.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    /// <returns>A task that completes when <paramref name="write"/> has run and the lock is released.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    public ValueTask WriteAsync<TState>(TState state, Action<T, TState> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return RunVoid<StateActionBody<T, TState>>(new(write, state), nameof(WriteAsync), nameof(write), cancellationToken);
    }

    /// <summary>Waits for the lock, runs <paramref name="write"/> on the value and returns its result.</summary>
    /// <typeparam name="TResult">The type of the result. An <see langword="async"/> delegate is refused: use the overload taking an asynchronous delegate.</typeparam>
    /// <param name="write">Mutates the value and computes a result. It must not return the value itself.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    /// <returns>The result of <paramref name="write"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is an <see langword="async"/> lambda bound to the synchronous overload (a non-async delegate that returns a stored task is fine).</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    public ValueTask<TResult> WriteAsync<TResult>(Func<T, TResult> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return Run<FuncBody<T, TResult>, TResult>(new(write), nameof(WriteAsync), nameof(write), cancellationToken);
    }

    /// <summary>Waits for the lock, runs <paramref name="write"/> with caller state and returns its result; with a static lambda an uncontended call allocates nothing.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">State passed to <paramref name="write"/>.</param>
    /// <param name="write">Mutates the value and computes a result. It must not return the value itself.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    /// <returns>The result of <paramref name="write"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is an <see langword="async"/> lambda bound to the synchronous overload.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    public ValueTask<TResult> WriteAsync<TState, TResult>(TState state, Func<T, TState, TResult> write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        return Run<StateFuncBody<T, TState, TResult>, TResult>(new(write, state), nameof(WriteAsync), nameof(write), cancellationToken);
    }

    /// <summary>Waits for the lock and replaces the value with the result of <paramref name="update"/>; made for immutable values.</summary>
    /// <param name="update">Computes the new value from the current one.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    /// <remarks>If <paramref name="update"/> throws, the value is left unchanged.</remarks>
    public ValueTask<T> UpdateAsync(Func<T, T> update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Run<UpdateBody<T>, T>(new(update), nameof(UpdateAsync), nameof(update), cancellationToken);
    }

    /// <summary>Waits for the lock and replaces the value with the result of <paramref name="update"/>, given caller state.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <param name="state">State passed to <paramref name="update"/>.</param>
    /// <param name="update">Computes the new value from the current one and the state.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    /// <remarks>If <paramref name="update"/> throws, the value is left unchanged.</remarks>
    public ValueTask<T> UpdateAsync<TState>(TState state, Func<T, TState, T> update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Run<StateUpdateBody<T, TState>, T>(new(update, state), nameof(UpdateAsync), nameof(update), cancellationToken);
    }

    /// <summary>Waits for the lock and returns an independent copy of the value, made by the copy function.</summary>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    /// <returns>A copy that the caller may use freely outside the lock.</returns>
    /// <exception cref="InvalidOperationException">The guard was created without a copy function.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the lock was acquired (in the returned task).</exception>
    public ValueTask<T> SnapshotAsync(CancellationToken cancellationToken = default)
    {
        Func<T, T> copy = _copy ?? throw GuardedMessages.NoCopyFunction(this, nameof(SnapshotAsync));
        return Run<FuncBody<T, T>, T>(new(copy), nameof(SnapshotAsync), nameof(copy), cancellationToken);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
