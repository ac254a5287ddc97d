namespace ThreadSafe.Diagnostics;

/// <summary>What <see cref="LockDiagnostics.Enable(LockDiagnosticsOptions?)"/> turns on.</summary>
public sealed class LockDiagnosticsOptions
{
    /// <summary>
    /// Gets a value indicating whether every guard records the contention metrics <c>threadsafe.lock.contentions</c>,
    /// <c>threadsafe.lock.wait.duration</c> and <c>threadsafe.lock.hold.duration</c> on the "ThreadSafe" meter (when a
    /// listener listens). Default <see langword="false"/>: holders and waiters are tracked, nothing is measured. A single
    /// guard can record them on its own with its <c>RecordsMetrics</c> property.
    /// </summary>
    public bool Metrics { get; init; }

    /// <summary>
    /// Gets the clock that times holds and waits; default <see cref="TimeProvider.System"/>. Tests pass a clock they move
    /// by hand to make the <see cref="LockWatchdog"/> deterministic.
    /// </summary>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider Clock
    {
        get => _clock;
        init => _clock = value ?? throw new ArgumentNullException(nameof(Clock), "A clock is required; TimeProvider.System is the default.");
    }

    private readonly TimeProvider _clock = TimeProvider.System;
}
