namespace ThreadSafe.Hosting.Tests;

/// <summary>The handler under test: runs the probe's behavior, then records the item as handled.</summary>
public sealed class ProbeHandler(Probe probe, ScopedThing scoped) : IWorkItemHandler<int>
{
    public async ValueTask HandleAsync(int item, CancellationToken cancellationToken)
    {
        probe.ScopeIds.Enqueue(scoped.Id);
        await probe.Behavior(item, cancellationToken);
        probe.Handled.Enqueue(item);
    }
}
