using ThreadSafe.Diagnostics;

namespace ThreadSafe.Tests.Diagnostics;

/// <summary>
/// Lock-order checking is process-wide, so its tests run alone (after the parallel tests), each starting from an empty
/// graph and leaving checking off.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LockOrderCollection
{
    public const string Name = "Lock order (process-wide switch)";
}

/// <summary>Base of the lock-order tests: an empty graph, checking off and no handler when each test ends.</summary>
public abstract class LockOrderTestBase : IDisposable
{
    private readonly List<LockOrderReport> _reports = [];

    protected LockOrderTestBase()
    {
        LockOrder.Disable();
        LockOrder.Reset();
        LockOrder.Reported += Collect;
    }

    /// <summary>Gets the reports received so far (thread-safe copy).</summary>
    protected IReadOnlyList<LockOrderReport> Reports
    {
        get
        {
            lock (_reports)
            {
                return [.. _reports];
            }
        }
    }

    public void Dispose()
    {
        LockOrder.Disable();
        LockOrder.Reported -= Collect;
        LockOrder.MaxEdges = 10_000;
        LockOrder.Reset();
        GC.SuppressFinalize(this);
    }

    private void Collect(object? sender, LockOrderReport report)
    {
        lock (_reports)
        {
            _reports.Add(report);
        }
    }
}
