using Microsoft.Extensions.Diagnostics.HealthChecks;
using ThreadSafe.Hosting;

namespace WebQueue;

/// <summary>Publishes a hosted queue's health through ASP.NET Core health checks (the bridge docs/hosting.md shows).</summary>
public sealed class WorkQueueHealthCheck(HostedWorkQueue<Job> queue) : IHealthCheck
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        WorkQueueHealth health = queue.GetHealth();
        var data = new Dictionary<string, object> { ["count"] = health.Count, ["capacity"] = health.Capacity, ["faulted"] = health.IsFaulted };
        return Task.FromResult(health.Status switch
        {
            WorkQueueHealthStatus.Healthy => HealthCheckResult.Healthy(health.Description, data),
            WorkQueueHealthStatus.Degraded => HealthCheckResult.Degraded(health.Description, data: data),
            _ => HealthCheckResult.Unhealthy(health.Description, data: data),
        });
    }
}
