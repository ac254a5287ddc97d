namespace ThreadSafe.Tests.Contracts;

/// <summary>The guard contract, run against <see cref="ReadWriteGuarded{T}"/>.</summary>
public sealed class ReadWriteGuardedContractTests : GuardContractTests
{
    protected override IGuard<T> Create<T>(T value, Func<T, T>? copy = null) => new Adapter<T>(new ReadWriteGuarded<T>(value, copy));

    protected override string WriteMemberOfBox => "ReadWriteGuarded<Box>.Write";

    protected override string AlternativeForBox => "AsyncGuarded<Box>.WriteAsync";

    private sealed class Adapter<T>(ReadWriteGuarded<T> guard) : IGuard<T>
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
}
