namespace ThreadSafe.Tests.Contracts;

/// <summary>The guard contract, run against <see cref="AsyncGuarded{T}"/> (its synchronous-delegate overloads). Each call
/// is turned into a Task at once: a ValueTask passed straight through rewritten test code is an invalid program.</summary>
public sealed class AsyncGuardedContractTests : GuardContractTests
{
    protected override IGuard<T> Create<T>(T value, Func<T, T>? copy = null) => new Adapter<T>(new AsyncGuarded<T>(value, copy));

    protected override string WriteMemberOfBox => "AsyncGuarded<Box>.WriteAsync";

    protected override string AlternativeForBox => "the overload taking an async (value, cancellationToken) => ... delegate";

    private sealed class Adapter<T>(AsyncGuarded<T> guard) : IGuard<T>
    {
        public bool CanSnapshot => guard.CanSnapshot;

        public Task<TResult> Read<TResult>(Func<T, TResult> read) => guard.ReadAsync(read).AsTask();

        public Task<TResult> Read<TState, TResult>(TState state, Func<T, TState, TResult> read) => guard.ReadAsync(state, read).AsTask();

        public Task Write(Action<T> write) => guard.WriteAsync(write).AsTask();

        public Task<TResult> Write<TResult>(Func<T, TResult> write) => guard.WriteAsync(write).AsTask();

        public Task Write<TState>(TState state, Action<T, TState> write) => guard.WriteAsync(state, write).AsTask();

        public Task<TResult> Write<TState, TResult>(TState state, Func<T, TState, TResult> write) => guard.WriteAsync(state, write).AsTask();

        public Task<T> Update(Func<T, T> update) => guard.UpdateAsync(update).AsTask();

        public Task<T> Update<TState>(TState state, Func<T, TState, T> update) => guard.UpdateAsync(state, update).AsTask();

        public Task<T> Snapshot() => guard.SnapshotAsync().AsTask();
    }
}
