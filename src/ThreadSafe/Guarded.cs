using System.Diagnostics;
using System.Runtime.CompilerServices;
using ThreadSafe.Diagnostics;

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
/// <para>
/// What a delegate may do: read and change the value, call other guards (nested locking; see
/// <c>ThreadSafe.Diagnostics.LockOrder</c> to check the order), throw (the exception reaches the caller, the lock is
/// released, and whatever the delegate changed before throwing stays changed; <c>Update</c> leaves the value unchanged).
/// What it may not do: be <see langword="async"/> (refused with <see cref="ArgumentException"/> before the lock is taken,
/// because it would touch the value after the lock is released: use <see cref="AsyncGuarded{T}"/>), call back into the
/// same instance (<see cref="LockRecursionException"/>), or never return (every other caller then waits for ever; the lock
/// cannot be taken away from a running delegate).
/// </para>
/// </remarks>
[DebuggerDisplay("{Name,nq} ({DebuggerState,nq})")]
[DebuggerTypeProxy(typeof(GuardedDebugView<>))]
public sealed class Guarded<T> : IInspectableGuard<T>, ISynchronousGuard<T>
{
    // Guards _value and its own Busy flag (see GuardedMonitor). Private, so no outside code can lock on it.
    private readonly GuardedMonitor _gate = new();

    private readonly Func<T, T>? _copy;

    // Guarded by _gate.
    private T _value;

    // Remembers delegates found not to be async (a cache read and written without the lock; see its remarks).
    private GuardedDelegateCheck _asyncCheck;

    // Name, lock class, lock-order node, holder tracking and metrics switch, shared in shape by every guard type.
    private GuardedIdentity _identity;

    /// <summary>Creates a guard that owns <paramref name="value"/>.</summary>
    /// <param name="value">The initial value. Do not keep another reference to it.</param>
    /// <param name="copy">
    /// Optional function that makes an independent copy of the value; required by <see cref="Snapshot"/>.
    /// It runs while the lock is held.
    /// </param>
    /// <param name="name">Optional name shown in messages, lock-order reports and the debugger; default: the type and a short id.</param>
    /// <param name="lockClass">
    /// Optional lock class for lock-order checking (<see cref="LockOrder"/>): guards of one class share one place in the
    /// order graph, so an order seen with one instance is checked against all. Default: each guard on its own.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="lockClass"/> is empty or white space.</exception>
    public Guarded(T value, Func<T, T>? copy = null, string? name = null, string? lockClass = null)
    {
        _identity = new GuardedIdentity(name, lockClass);
        _value = value;
        _copy = copy;
    }

    /// <summary>Gets the name shown in messages, lock-order reports and the debugger: the one given at construction, or the type and a short id.</summary>
    public string Name => _identity.Name(this);

    /// <summary>
    /// Gets or sets a value indicating whether this guard records contention metrics (<c>threadsafe.lock.*</c> on the
    /// "ThreadSafe" meter) and tracks its holders and waiters even while <see cref="LockDiagnostics"/> is off.
    /// </summary>
    /// <remarks>Takes effect from the next acquisition. Costs, while set, what diagnostics cost: see <see cref="LockDiagnostics"/>.</remarks>
    public bool RecordsMetrics
    {
        get => _identity.RecordsMetrics;
        set => _identity.SetRecordsMetrics(value);
    }

    /// <summary>Gets a value indicating whether this guard was created with a copy function, so <see cref="Snapshot"/> can be called.</summary>
    public bool CanSnapshot => _copy is not null;

    /// <summary>Runs <paramref name="read"/> on the value while holding the lock and returns its result.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="read">Reads the value. It must not keep a reference to the value.</param>
    /// <returns>The result of <paramref name="read"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public TResult Read<TResult>(Func<T, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Run<FuncBody<T, TResult>, TResult>(new(read), nameof(Read), nameof(read));
    }

    /// <summary>Runs <paramref name="read"/> with caller state while holding the lock; with a static lambda this allocates nothing.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">State passed to <paramref name="read"/>.</param>
    /// <param name="read">Reads the value. It must not keep a reference to the value.</param>
    /// <returns>The result of <paramref name="read"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public TResult Read<TState, TResult>(TState state, Func<T, TState, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Run<StateFuncBody<T, TState, TResult>, TResult>(new(read, state), nameof(Read), nameof(read));
    }

    /// <summary>Runs <paramref name="write"/> on the value while holding the lock.</summary>
    /// <param name="write">Mutates the value. It must not keep a reference to the value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public void Write(Action<T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Run<ActionBody<T>, NoResult>(new(write), nameof(Write), nameof(write));
    }

    /// <summary>Runs <paramref name="write"/> with caller state while holding the lock; with a static lambda this allocates nothing.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <param name="state">State passed to <paramref name="write"/>.</param>
    /// <param name="write">Mutates the value. It must not keep a reference to the value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public void Write<TState>(TState state, Action<T, TState> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Run<StateActionBody<T, TState>, NoResult>(new(write, state), nameof(Write), nameof(write));
    }

    /// <summary>Runs <paramref name="write"/> on the value while holding the lock and returns its result.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="write">Mutates the value and computes a result. It must not return the value itself.</param>
    /// <returns>The result of <paramref name="write"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public TResult Write<TResult>(Func<T, TResult> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return Run<FuncBody<T, TResult>, TResult>(new(write), nameof(Write), nameof(write));
    }

    /// <summary>Runs <paramref name="write"/> with caller state while holding the lock and returns its result; with a static lambda this allocates nothing.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">State passed to <paramref name="write"/>.</param>
    /// <param name="write">Mutates the value and computes a result. It must not return the value itself.</param>
    /// <returns>The result of <paramref name="write"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="write"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public TResult Write<TState, TResult>(TState state, Func<T, TState, TResult> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return Run<StateFuncBody<T, TState, TResult>, TResult>(new(write, state), nameof(Write), nameof(write));
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
        return Run<UpdateBody<T>, T>(new(update), nameof(Update), nameof(update));
    }

    /// <summary>Replaces the value with the result of <paramref name="update"/>, given caller state, while holding the lock.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <param name="state">State passed to <paramref name="update"/>.</param>
    /// <param name="update">Computes the new value from the current one and the state.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public T Update<TState>(TState state, Func<T, TState, T> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Run<StateUpdateBody<T, TState>, T>(new(update, state), nameof(Update), nameof(update));
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
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public bool TryWrite(Action<T> write, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(write);
        Timeouts.ThrowIfNotFinite(timeout);
        var body = new ActionBody<T>(write);
        _asyncCheck.ThrowIfAsync(body.Delegate, this, nameof(TryWrite), nameof(write));
        if (GuardInstrumentation.IsOn | _identity.RecordsMetrics)
        {
            return RunInstrumented<ActionBody<T>, NoResult>(body, (int)timeout.TotalMilliseconds, out _);
        }

        bool taken = false;
        try
        {
            Monitor.TryEnter(_gate, timeout, ref taken);
            if (!taken)
            {
                return false;
            }

            RunHeld<ActionBody<T>, NoResult>(body);
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
        Func<T, T> copy = _copy ?? throw GuardedMessages.NoCopyFunction(this, nameof(Snapshot));
        return Run<FuncBody<T, T>, T>(new(copy), nameof(Snapshot), nameof(copy));
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    // The one path every delegate takes: refuse an async delegate before the lock is taken, then run the body
    // under the lock. MayBeAsync is a constant per body shape, so the check costs nothing for a function with a
    // non-task result and one reference comparison for an action passed as a cached (static) lambda.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TResult Run<TBody, TResult>(TBody body, string member, string parameterName)
        where TBody : struct, IGuardedBody<T, TResult>
    {
        if (body.MayBeAsync)
        {
            _asyncCheck.ThrowIfAsync(body.Delegate, this, member, parameterName);
        }

        if (GuardInstrumentation.IsOn | _identity.RecordsMetrics)
        {
            RunInstrumented(body, Timeout.Infinite, out TResult result);
            return result;
        }

        lock (_gate)
        {
            return RunHeld<TBody, TResult>(body);
        }
    }

    // Run or TryWrite with diagnostics on: the acquisition every synchronous guard shares, with this guard's monitor.
    // Not inlined, so the fast path keeps only the call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RunInstrumented<TBody, TResult>(TBody body, int timeoutMs, out TResult result)
        where TBody : struct, IGuardedBody<T, TResult> =>
        InstrumentedAcquisition.Run<MonitorLock, TBody, T, TResult>(new(_gate, this), body, ref _value, ref _identity, this, timeoutMs, out result);

    // Called with _gate held: marks the instance busy (or throws on a call from inside a delegate), runs the body
    // and clears the mark whether it returns or throws.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TResult RunHeld<TBody, TResult>(TBody body)
        where TBody : struct, IGuardedBody<T, TResult>
    {
        _gate.Enter(this);
        try
        {
            return body.Invoke(ref _value);
        }
        finally
        {
            _gate.Busy = false;
        }
    }

    /// <summary>Gets what is known of the lock now: whether it is held, and, while tracked, by which flow, since when and who waits.</summary>
    /// <returns>The lock's information; see <see cref="LockInfo"/> for what is exact when diagnostics are off.</returns>
    /// <remarks>Never takes the guard's lock: safe to call from anywhere, including a delegate of this guard.</remarks>
    public LockInfo GetLockInfo() => LockInfo.Create(this, Name, Volatile.Read(ref _gate.Busy), untrackedWaiters: 0, _identity.TrackedState);

    /// <summary>Gets the value for the debugger's expanded view, read without the lock (the debugger has stopped every thread).</summary>
    T IInspectableGuard<T>.ValueForDebugger => _value;

    /// <summary>Gets the debugger's one-line view: "free", "held", or, tracked, "held by thread 5 'name' for 1.200 s, 2 waiting".</summary>
    internal string DebuggerState => GetLockInfo().Summary();
}
