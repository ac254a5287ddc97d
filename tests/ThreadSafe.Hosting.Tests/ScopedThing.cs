namespace ThreadSafe.Hosting.Tests;

/// <summary>A scoped service: one instance per handler scope, which records its disposal.</summary>
public sealed class ScopedThing(Probe probe) : IDisposable
{
    public Guid Id { get; } = Guid.NewGuid();

    public void Dispose() => Interlocked.Increment(ref probe.ScopesDisposed);
}
