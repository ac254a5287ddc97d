using ThreadSafe.Diagnostics;

namespace ThreadSafe.Tests.Diagnostics;

/// <summary>
/// Base of the holder-tracking, watchdog and metrics tests. Diagnostics are process-wide, so these tests run in the
/// non-parallel lock-order collection; each starts and ends with diagnostics off and the system clock.
/// </summary>
public abstract class LockDiagnosticsTestBase : IDisposable
{
    protected LockDiagnosticsTestBase() => LockDiagnostics.Disable();

    /// <summary>Gets the clock the tests move by hand.</summary>
    internal ManualClock Clock { get; } = new();

    /// <summary>Turns tracking on with the manual clock (and metrics if asked).</summary>
    protected void EnableWithManualClock(bool metrics = false) =>
        LockDiagnostics.Enable(new LockDiagnosticsOptions { Clock = Clock, Metrics = metrics });

    public void Dispose()
    {
        LockDiagnostics.Disable();
        LockDiagnostics.Enable(new LockDiagnosticsOptions()); // back to the system clock
        LockDiagnostics.Disable();
        GC.SuppressFinalize(this);
    }
}
