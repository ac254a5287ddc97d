namespace ThreadSafe.Tests.Contracts;

/// <summary>
/// <see cref="IGuard{T}"/> over a synchronous guard (<see cref="Guarded{T}"/>, <see cref="ReadWriteGuarded{T}"/>): each
/// call runs at once and returns a completed task, so a synchronous exception surfaces when the member is called.
/// </summary>
/// <typeparam name="T">The guarded value's type.</typeparam>
internal sealed class SynchronousGuardAdapter<T>(ISynchronousGuard<T> guard) : IGuard<T>
{
    public bool CanSnapshot => guard.CanSnapshot;

    public Task<TResult> Read<TResult>(Func<T, TResult> read) => Task.FromResult(guard.Read(read));

    public Task<TResult> Read<TState, TResult>(TState state, Func<T, TState, TResult> read) => Task.FromResult(guard.Read(state, read));

    public Task Write(Action<T> write)
    {
        guard.Write(write);
        return Task.CompletedTask;
    }

    public Task<TResult> Write<TResult>(Func<T, TResult> write) => Task.FromResult(guard.Write(write));

    public Task Write<TState>(TState state, Action<T, TState> write)
    {
        guard.Write(state, write);
        return Task.CompletedTask;
    }

    public Task<TResult> Write<TState, TResult>(TState state, Func<T, TState, TResult> write) => Task.FromResult(guard.Write(state, write));

    public Task<T> Update(Func<T, T> update) => Task.FromResult(guard.Update(update));

    public Task<T> Update<TState>(TState state, Func<T, TState, T> update) => Task.FromResult(guard.Update(state, update));

    public Task<T> Snapshot() => Task.FromResult(guard.Snapshot());
}
