using System.Diagnostics;

namespace ThreadSafe.Testing.Histories;

/// <summary>Tells searches running in parallel to stop: at a deadline, on cancellation, or when one part already failed.</summary>
internal sealed class StopSignal(long deadlineTimestamp, CancellationToken cancellation)
{
    // Set once, read by every search thread; a stale read only delays the stop by one check interval.
    private int _stopped;

    public bool TimedOut { get; private set; }

    public void Stop() => Volatile.Write(ref _stopped, 1);

    public bool ShouldStop()
    {
        if (Volatile.Read(ref _stopped) != 0 || cancellation.IsCancellationRequested)
        {
            return true;
        }

        if (Stopwatch.GetTimestamp() >= deadlineTimestamp)
        {
            TimedOut = true;
            return true;
        }

        return false;
    }
}
