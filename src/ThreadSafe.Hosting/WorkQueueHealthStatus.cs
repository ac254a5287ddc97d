namespace ThreadSafe.Hosting;

/// <summary>The health of a hosted work queue, in the order of the usual health-check statuses.</summary>
public enum WorkQueueHealthStatus
{
    /// <summary>The queue does not accept items: it faulted, or the host is stopping it.</summary>
    Unhealthy = 0,

    /// <summary>The queue accepts items but is filling up: its length reached <see cref="HostedWorkQueueOptions{T}.DegradedFillRatio"/> of its capacity.</summary>
    Degraded = 1,

    /// <summary>The queue accepts items and has room.</summary>
    Healthy = 2,
}
