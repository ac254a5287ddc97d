namespace ThreadSafe.Tests.Contracts;

/// <summary>The guard contract, run against <see cref="ReadWriteGuarded{T}"/>.</summary>
public sealed class ReadWriteGuardedContractTests : GuardContractTests
{
    protected override IGuard<T> Create<T>(T value, Func<T, T>? copy = null) => new SynchronousGuardAdapter<T>(new ReadWriteGuarded<T>(value, copy));

    protected override string WriteMemberOfBox => "ReadWriteGuarded<Box>.Write";

    protected override string AlternativeForBox => "AsyncGuarded<Box>.WriteAsync";
}
