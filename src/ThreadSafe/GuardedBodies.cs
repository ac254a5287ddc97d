using System.Runtime.CompilerServices;

namespace ThreadSafe;

// The delegate shapes of the guards as structs, shared by Guarded<T>, ReadWriteGuarded<T> and AsyncGuarded<T>:
// each guard has one generic run path per lock mode, specialized by the JIT per shape, so the state-passing
// overloads neither box nor allocate a closure, and the lock plumbing is written once per guard.

/// <summary>A delegate of a guard, bound to its arguments, run on the guarded value while the lock is held.</summary>
/// <typeparam name="T">The type of the guarded value.</typeparam>
/// <typeparam name="TResult">The type of the result; <see cref="NoResult"/> for actions.</typeparam>
internal interface IGuardedBody<T, TResult>
{
    /// <summary>Gets the user's delegate, for the check that refuses async delegates.</summary>
    Delegate Delegate { get; }

    /// <summary>Gets a value indicating whether the delegate could be async: an action (async void) or a function returning a task.</summary>
    bool MayBeAsync { get; }

    /// <summary>Runs the delegate on the value; an update replaces the value only when its delegate returns.</summary>
    TResult Invoke(ref T value);
}

/// <summary>The result of a body that returns nothing.</summary>
internal readonly struct NoResult;

/// <summary>Whether <typeparamref name="TResult"/> is a task type, computed once per type.</summary>
internal static class TaskLike<TResult>
{
    public static readonly bool Value = AsyncDelegates.IsTaskLike(typeof(TResult));
}

internal readonly struct FuncBody<T, TResult>(Func<T, TResult> func) : IGuardedBody<T, TResult>
{
    public Delegate Delegate => func;

    public bool MayBeAsync => TaskLike<TResult>.Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TResult Invoke(ref T value) => func(value);
}

internal readonly struct StateFuncBody<T, TState, TResult>(Func<T, TState, TResult> func, TState state) : IGuardedBody<T, TResult>
{
    public Delegate Delegate => func;

    public bool MayBeAsync => TaskLike<TResult>.Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TResult Invoke(ref T value) => func(value, state);
}

internal readonly struct UpdateBody<T>(Func<T, T> update) : IGuardedBody<T, T>
{
    public Delegate Delegate => update;

    public bool MayBeAsync => TaskLike<T>.Value;

    // The value is replaced only when update returns: if it throws, the value is left unchanged.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Invoke(ref T value) => value = update(value);
}

internal readonly struct StateUpdateBody<T, TState>(Func<T, TState, T> update, TState state) : IGuardedBody<T, T>
{
    public Delegate Delegate => update;

    public bool MayBeAsync => TaskLike<T>.Value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Invoke(ref T value) => value = update(value, state);
}

internal readonly struct ActionBody<T>(Action<T> action) : IGuardedBody<T, NoResult>
{
    public Delegate Delegate => action;

    public bool MayBeAsync => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public NoResult Invoke(ref T value)
    {
        action(value);
        return default;
    }
}

internal readonly struct StateActionBody<T, TState>(Action<T, TState> action, TState state) : IGuardedBody<T, NoResult>
{
    public Delegate Delegate => action;

    public bool MayBeAsync => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public NoResult Invoke(ref T value)
    {
        action(value, state);
        return default;
    }
}
