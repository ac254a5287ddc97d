namespace ThreadSafe.Tests.Contracts;

/// <summary>The guard contract, run against <see cref="Guarded{T}"/>.</summary>
public sealed class GuardedContractTests : GuardContractTests
{
    protected override IGuard<T> Create<T>(T value, Func<T, T>? copy = null) => new SynchronousGuardAdapter<T>(new Guarded<T>(value, copy));

    protected override string WriteMemberOfBox => "Guarded<Box>.Write";

    protected override string AlternativeForBox => "AsyncGuarded<Box>.WriteAsync";
}
