using Microsoft.Extensions.Logging;

namespace ThreadSafe.Hosting;

/// <summary>The log messages of the hosted queue and writer (compiled by the logging source generator).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(1, LogLevel.Information, "Work queue {Name} started: capacity {Capacity}, {Consumers} consumer(s).")]
    public static partial void Started(ILogger logger, string name, int capacity, int consumers);

    [LoggerMessage(2, LogLevel.Information, "Work queue {Name} is stopping: it accepts no more items and drains the {Waiting} waiting.")]
    public static partial void Stopping(ILogger logger, string name, int waiting);

    [LoggerMessage(3, LogLevel.Information, "Work queue {Name} drained: {Processed} item(s) processed, {Failed} failed.")]
    public static partial void Drained(ILogger logger, string name, long processed, long failed);

    [LoggerMessage(4, LogLevel.Warning, "Work queue {Name} did not drain within the host's shutdown timeout; aborting it with {Waiting} item(s) waiting.")]
    public static partial void DrainTimedOut(ILogger logger, string name, int waiting);

    [LoggerMessage(5, LogLevel.Error, "A handler of work queue {Name} threw for item {Item}.")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string name, object? item);

    [LoggerMessage(6, LogLevel.Error, "A handler of work queue {Name} did not return within {AbortTimeout} after the abort: it is abandoned (left running, no longer awaited) and its item {Item} goes to the sink.")]
    public static partial void HandlerAbandoned(ILogger logger, string name, TimeSpan abortTimeout, object? item);

    [LoggerMessage(7, LogLevel.Warning, "Work queue {Name}: {Count} accepted item(s) were not processed ({Reason}); handing them to the sink.")]
    public static partial void Unprocessed(ILogger logger, string name, int count, string reason);

    [LoggerMessage(8, LogLevel.Information, "Work queue {Name}: the sink took {Count} unprocessed item(s).")]
    public static partial void HandedToSink(ILogger logger, string name, int count);

    [LoggerMessage(9, LogLevel.Critical, "Work queue {Name}: no sink is configured, so these {Count} unprocessed item(s) are only logged: {Items}")]
    public static partial void NoSink(ILogger logger, string name, int count, string items);

    [LoggerMessage(10, LogLevel.Critical, "Work queue {Name}: the sink failed or timed out, so these {Count} unprocessed item(s) are only logged: {Items}")]
    public static partial void SinkFailed(ILogger logger, Exception exception, string name, int count, string items);

    [LoggerMessage(11, LogLevel.Critical, "Work queue {Name} faulted (a handler threw and StopOnHandlerError is set, or OnHandlerError threw); it accepts no more items.")]
    public static partial void Faulted(ILogger logger, Exception exception, string name);

    [LoggerMessage(12, LogLevel.Critical, "Work queue {Name}: its consumers did not stop within {Timeout} after the abort (a callback such as OnHandlerError did not return); {Count} waiting item(s) could not be taken back and are lost.")]
    public static partial void AbortTimedOut(ILogger logger, string name, TimeSpan timeout, int count);

    [LoggerMessage(13, LogLevel.Warning, "An abandoned handler of work queue {Name} finally failed.")]
    public static partial void AbandonedHandlerFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(20, LogLevel.Information, "Single writer {Name} is stopping: it accepts no more writes and runs those already accepted.")]
    public static partial void WriterStopping(ILogger logger, string name);

    [LoggerMessage(21, LogLevel.Information, "Single writer {Name} stopped: every accepted write ran and its resource was closed.")]
    public static partial void WriterStopped(ILogger logger, string name);

    [LoggerMessage(22, LogLevel.Error, "Single writer {Name} did not finish its accepted writes within the host's shutdown timeout. Their callers are not acknowledged; the writer keeps running them until the process exits (SingleWriterOptions.ProcessExitTimeout), then reports the count on standard error.")]
    public static partial void WriterDrainTimedOut(ILogger logger, string name);

    [LoggerMessage(23, LogLevel.Error, "Single writer {Name} stopped with an error (closing its resource failed, or opening it had failed).")]
    public static partial void WriterFailed(ILogger logger, Exception exception, string name);
}
