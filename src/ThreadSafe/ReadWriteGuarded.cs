using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using ThreadSafe.Diagnostics;

namespace ThreadSafe;

/// <summary>
/// A value that owns a reader-writer lock: read delegates run concurrently with each other, a write
/// delegate runs alone. Callers never lock by hand and cannot forget to.
/// </summary>
/// <typeparam name="T">The type of the guarded value.</typeparam>
/// <remarks>
/// <para>
/// Any number of <see cref="Read{TResult}(Func{T, TResult})"/> delegates may run at the same time; a
/// <see cref="Write(Action{T})"/> (or <see cref="Update(Func{T, T})"/>) waits for the readers inside to
/// leave and then runs with nobody else. Read delegates must therefore only read: mutating the value from
/// a read delegate races with the other readers.
/// </para>
/// <para>
/// Writers are preferred: once a writer waits, new readers wait behind it, so a steady stream of readers
/// never starves a writer. The delegates are the point of this type, so they run while the lock is held:
/// keep them short and never let the value (or anything reachable from it) escape from one, because a
/// reference kept outside the delegate is no longer guarded. Use <see cref="Snapshot"/> with a copy
/// function when a caller needs the data outside the lock.
/// </para>
/// <para>
/// Calling any member of the same instance from inside one of its delegates throws
/// <see cref="LockRecursionException"/>: a write from inside a read (an upgrade) would wait for itself
/// forever, and a read from inside a read could deadlock behind a waiting writer. Members of other
/// instances may be called from inside a delegate.
/// </para>
/// <para>
/// What a delegate may do: read the value (read delegates) or change it (write and update delegates), call other guards
/// (nested locking; see <c>ThreadSafe.Diagnostics.LockOrder</c> to check the order), throw (the exception reaches the
/// caller, the lock is released, and whatever a write delegate changed before throwing stays changed; <c>Update</c>
/// leaves the value unchanged). What it may not do: be <see langword="async"/> (refused with
/// <see cref="ArgumentException"/> before the lock is taken, because it would touch the value after the lock is
/// released: use <see cref="AsyncGuarded{T}"/>), call back into the same instance (<see cref="LockRecursionException"/>),
/// or never return (writers, and after a waiting writer also readers, then wait for ever).
/// </para>
/// </remarks>
[DebuggerDisplay("{Name,nq} ({DebuggerState,nq})")]
[DebuggerTypeProxy(typeof(GuardedDebugView<>))]
public sealed partial class ReadWriteGuarded<T> : IInspectableGuard<T>, ISynchronousGuard<T>
{
    // The writer-preferring reader-writer lock that guards _value: its read side for the read delegates
    // and Snapshot, its write side for the write and update delegates.
    private readonly ReadWriteGate _gate = new();

    private readonly Func<T, T>? _copy;

    // Guarded by _gate: read under either side, replaced (Update) only under the write side.
    private T _value;

    // Remembers delegates found not to be async (a cache read and written without the lock; see its remarks).
    private GuardedDelegateCheck _asyncCheck;

    // Name, lock class, lock-order node, holder tracking and metrics switch, shared in shape by every guard type.
    private GuardedIdentity _identity;

    /// <summary>Creates a guard that owns <paramref name="value"/>.</summary>
    /// <param name="value">The initial value. Do not keep another reference to it.</param>
    /// <param name="copy">
    /// Optional function that makes an independent copy of the value; required by <see cref="Snapshot"/>.
    /// It runs while the read lock is held, possibly at the same time as other readers.
    /// </param>
    /// <param name="name">Optional name shown in messages, lock-order reports and the debugger; default: the type and a short id.</param>
    /// <param name="lockClass">
    /// Optional lock class for lock-order checking (<see cref="LockOrder"/>): guards of one class share one place in the
    /// order graph, so an order seen with one instance is checked against all. Default: each guard on its own.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="lockClass"/> is empty or white space.</exception>
    public ReadWriteGuarded(T value, Func<T, T>? copy = null, string? name = null, string? lockClass = null)
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

    /// <summary>Gets a value indicating whether this guard was created with a copy function, so <see cref="Snapshot"/> can be called.</summary>
    public bool CanSnapshot => _copy is not null;

    /// <summary>Gets the lock, for tests and diagnostics.</summary>
    internal ReadWriteGate Gate => _gate;

    /// <summary>Runs <paramref name="read"/> on the value while holding the read lock and returns its result.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="read">Reads the value, possibly at the same time as other readers. It must not mutate the value or keep a reference to it.</param>
    /// <returns>The result of <paramref name="read"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public TResult Read<TResult>(Func<T, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Run<ReadSide, FuncBody<T, TResult>, TResult>(new(read), nameof(Read), nameof(read));
    }

    /// <summary>Runs <paramref name="read"/> with caller state while holding the read lock; with a static lambda this allocates nothing.</summary>
    /// <typeparam name="TState">The type of the state passed to the delegate.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">State passed to <paramref name="read"/>.</param>
    /// <param name="read">Reads the value, possibly at the same time as other readers. It must not mutate the value or keep a reference to it.</param>
    /// <returns>The result of <paramref name="read"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public TResult Read<TState, TResult>(TState state, Func<T, TState, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Run<ReadSide, StateFuncBody<T, TState, TResult>, TResult>(new(read, state), nameof(Read), nameof(read));
    }

    /// <summary>Runs <paramref name="read"/> if the read lock can be taken within <paramref name="timeout"/>.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="read">Reads the value, possibly at the same time as other readers. It must not mutate the value or keep a reference to it.</param>
    /// <param name="timeout">How long to wait for the read lock; <see cref="TimeSpan.Zero"/> tries once without waiting.</param>
    /// <param name="result">The result of <paramref name="read"/> if it ran; otherwise the default value.</param>
    /// <returns><see langword="true"/> if <paramref name="read"/> ran; <see langword="false"/> if a writer held or awaited the lock for the whole timeout.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="timeout"/> is negative (including <see cref="Timeout.InfiniteTimeSpan"/>: use <see cref="Read{TResult}(Func{T, TResult})"/>
    /// to wait without a limit) or longer than <see cref="int.MaxValue"/> milliseconds.
    /// </exception>
    /// <exception cref="ArgumentException">The delegate is <see langword="async"/>: it would run on after the lock is released.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public bool TryRead<TResult>(Func<T, TResult> read, TimeSpan timeout, [MaybeNullWhen(false)] out TResult result)
    {
        ArgumentNullException.ThrowIfNull(read);
        Timeouts.ThrowIfNotFinite(timeout);
        return TryRun<ReadSide, FuncBody<T, TResult>, TResult>(new(read), timeout, nameof(TryRead), nameof(read), out result);
    }

    /// <summary>Returns an independent copy of the value, made by the copy function while holding the read lock.</summary>
    /// <returns>A copy that the caller may use freely outside the lock.</returns>
    /// <exception cref="InvalidOperationException">The guard was created without a copy function.</exception>
    /// <exception cref="LockRecursionException">Called from inside a delegate of the same instance.</exception>
    public T Snapshot()
    {
        Func<T, T> copy = _copy ?? throw GuardedMessages.NoCopyFunction(this, nameof(Snapshot));
        return Run<ReadSide, FuncBody<T, T>, T>(new(copy), nameof(Snapshot), nameof(copy));
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    // The path of every delegate, on the read side (read delegates, Snapshot) or the write side (write and update
    // delegates): refuse an async delegate before the lock is taken, then run the body under that side of the lock.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TResult Run<TSide, TBody, TResult>(TBody body, string member, string parameterName)
        where TSide : struct, IReadWriteGateSide
        where TBody : struct, IGuardedBody<T, TResult>
    {
        if (body.MayBeAsync)
        {
            _asyncCheck.ThrowIfAsync(body.Delegate, this, member, parameterName);
        }

        if (GuardInstrumentation.IsOn | _identity.RecordsMetrics)
        {
            RunInstrumented<TSide, TBody, TResult>(body, Timeout.Infinite, out TResult result);
            return result;
        }

        ReadWriteGateLock<TSide>.Acquire(_gate, this, Timeout.Infinite);
        try
        {
            return body.Invoke(ref _value);
        }
        finally
        {
            ReadWriteGateLock<TSide>.Exit(_gate, this);
        }
    }

    // TryRead and TryWrite: as Run, giving up when the lock is not free within the timeout.
    private bool TryRun<TSide, TBody, TResult>(TBody body, TimeSpan timeout, string member, string parameterName, out TResult result)
        where TSide : struct, IReadWriteGateSide
        where TBody : struct, IGuardedBody<T, TResult>
    {
        if (body.MayBeAsync)
        {
            _asyncCheck.ThrowIfAsync(body.Delegate, this, member, parameterName);
        }

        if (GuardInstrumentation.IsOn | _identity.RecordsMetrics)
        {
            return RunInstrumented<TSide, TBody, TResult>(body, (int)timeout.TotalMilliseconds, out result);
        }

        if (!ReadWriteGateLock<TSide>.Acquire(_gate, this, (int)timeout.TotalMilliseconds))
        {
            result = default!;
            return false;
        }

        try
        {
            result = body.Invoke(ref _value);
            return true;
        }
        finally
        {
            ReadWriteGateLock<TSide>.Exit(_gate, this);
        }
    }
}
