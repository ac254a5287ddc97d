namespace ThreadSafe.Tests.Contracts;

/// <summary>
/// One shape for every guard type (a value that owns its lock), so that <see cref="GuardContractTests"/> runs the
/// same checks against each. Synchronous guards return completed tasks; a synchronous exception surfaces when
/// the member is called, an asynchronous one when the task is awaited, and the suite accepts either. Tasks, not
/// ValueTasks: a ValueTask passed straight through rewritten (Coyote) test code is an invalid program.
/// </summary>
/// <typeparam name="T">The guarded value's type.</typeparam>
public interface IGuard<T>
{
    /// <summary>Whether the guard was given a copy function, so that <see cref="Snapshot"/> works.</summary>
    bool CanSnapshot { get; }

    /// <summary>Runs <paramref name="read"/> under the guard's (read) lock.</summary>
    Task<TResult> Read<TResult>(Func<T, TResult> read);

    /// <summary>The state-passing form of <see cref="Read{TResult}(Func{T, TResult})"/>.</summary>
    Task<TResult> Read<TState, TResult>(TState state, Func<T, TState, TResult> read);

    /// <summary>Runs <paramref name="write"/> under the guard's (write) lock.</summary>
    Task Write(Action<T> write);

    /// <summary>Runs <paramref name="write"/> under the guard's (write) lock and returns its result.</summary>
    Task<TResult> Write<TResult>(Func<T, TResult> write);

    /// <summary>The state-passing form of <see cref="Write(Action{T})"/>.</summary>
    Task Write<TState>(TState state, Action<T, TState> write);

    /// <summary>The state-passing form of <see cref="Write{TResult}(Func{T, TResult})"/>.</summary>
    Task<TResult> Write<TState, TResult>(TState state, Func<T, TState, TResult> write);

    /// <summary>Replaces the value with what <paramref name="update"/> returns, under the (write) lock.</summary>
    Task<T> Update(Func<T, T> update);

    /// <summary>The state-passing form of <see cref="Update(Func{T, T})"/>.</summary>
    Task<T> Update<TState>(TState state, Func<T, TState, T> update);

    /// <summary>A copy of the value made by the guard's copy function under the lock.</summary>
    Task<T> Snapshot();
}
