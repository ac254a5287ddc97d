namespace ThreadSafe.Hosting;

/// <summary>A snapshot of a hosted work queue's health: its length against its capacity, and whether it faulted or is stopping.</summary>
/// <remarks>
/// To publish it through ASP.NET Core health checks, map <see cref="Status"/> onto a <c>HealthCheckResult</c> in an
/// <c>IHealthCheck</c> (docs/hosting.md shows the few lines); this package does not depend on the health-check abstractions.
/// </remarks>
public sealed class WorkQueueHealth
{
    internal WorkQueueHealth(WorkQueueHealthStatus status, string description, int count, int capacity, long processedCount, long failedCount, bool faulted)
    {
        Status = status;
        Description = description;
        Count = count;
        Capacity = capacity;
        ProcessedCount = processedCount;
        FailedCount = failedCount;
        IsFaulted = faulted;
    }

    /// <summary>Gets the status.</summary>
    public WorkQueueHealthStatus Status { get; }

    /// <summary>Gets a sentence explaining the status.</summary>
    public string Description { get; }

    /// <summary>Gets the number of items waiting (accepted and not started).</summary>
    public int Count { get; }

    /// <summary>Gets the capacity of the queue.</summary>
    public int Capacity { get; }

    /// <summary>Gets the number of items handled successfully so far.</summary>
    public long ProcessedCount { get; }

    /// <summary>Gets the number of items whose handler threw so far.</summary>
    public long FailedCount { get; }

    /// <summary>Gets a value indicating whether the queue stopped because of a handler error.</summary>
    public bool IsFaulted { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Status}: {Description}";
}
