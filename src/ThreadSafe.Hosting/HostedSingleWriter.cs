using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ThreadSafe.Hosting;

/// <summary>
/// Completes a <see cref="SingleWriter{TResource}"/> registered by
/// <see cref="ThreadSafeHostingServiceCollectionExtensions.AddSingleWriter{TResource}"/> when the host stops: it
/// accepts no more writes and runs those it accepted, within the host's shutdown timeout.
/// </summary>
/// <typeparam name="TResource">The type of the writer's resource.</typeparam>
internal sealed class HostedSingleWriter<TResource>(SingleWriter<TResource> writer, ILogger<SingleWriter<TResource>> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        HostingLog.WriterStopping(logger, writer.Name);
        Task completed = writer.CompleteAsync(CancellationToken.None); // drain everything; only the wait below is bounded
        try
        {
            await completed.WaitAsync(cancellationToken).ConfigureAwait(false);
            HostingLog.WriterStopped(logger, writer.Name);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !completed.IsCompleted)
        {
            // A SingleWriter has no abort: a write in progress cannot be interrupted, and a queued write is a function
            // whose caller waits for its result, not data a sink could keep. Its callers stay unacknowledged.
            HostingLog.WriterDrainTimedOut(logger, writer.Name);
        }
        catch (Exception ex) when (completed.IsFaulted)
        {
            HostingLog.WriterFailed(logger, ex, writer.Name);
        }
    }
}
