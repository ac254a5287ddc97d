using ThreadSafe.Hosting;

namespace WebQueue;

/// <summary>Processes one job; resolved from dependency injection in a new scope for every job.</summary>
public sealed class JobProcessor(JobLedger ledger, IConfiguration configuration) : IWorkItemHandler<Job>
{
    private readonly int _workMilliseconds = configuration.GetValue("WebQueue:WorkMilliseconds", 20);

    /// <inheritdoc/>
    public async ValueTask HandleAsync(Job item, CancellationToken cancellationToken)
    {
        await Task.Delay(_workMilliseconds, cancellationToken); // the work; cancelled only when the drain ran out of time
        ledger.Processed.Enqueue(item.Id);
    }
}
