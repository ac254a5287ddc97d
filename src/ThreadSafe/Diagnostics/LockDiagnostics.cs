namespace ThreadSafe.Diagnostics;

/// <summary>
/// Who holds which guard: holder and waiter tracking for <see cref="Guarded{T}"/>, <see cref="ReadWriteGuarded{T}"/>
/// (readers and the writer) and <see cref="AsyncGuarded{T}"/>, a process-wide <see cref="Snapshot(TimeSpan)"/> of the
/// guards held or waited on longer than a threshold, and optional contention metrics. Off by default; process-wide.
/// </summary>
/// <remarks>
/// <para>
/// Turn it on in code with <see cref="Enable"/>, or without code changes with the environment variable
/// <c>THREADSAFE_LOCK_DIAGNOSTICS=on</c> (tracking) or <c>=metrics</c> (tracking and metrics), read once, when the first
/// guard is used. <see cref="LockWatchdog"/> reports guards held or waited on too long.
/// </para>
/// <para>
/// While off, nothing is tracked or registered: each acquisition pays one static field test. A guard's
/// <c>GetLockInfo()</c> and its debugger display then still tell whether it is held (from the lock itself) and, where
/// the lock counts them, how many wait; not who holds it or since when. While on, each acquisition records its flow
/// (thread, task, access) and times, costing an allocation and a short private lock per acquisition; a guard is
/// registered (weakly: a collected guard leaves the registry) on its first tracked acquisition. Acquisitions that began
/// before <see cref="Enable"/> are not known, so a guard taken then shows as held with no holder until released.
/// </para>
/// </remarks>
public static class LockDiagnostics
{
    /// <summary>The environment variable that turns diagnostics on at start-up: <c>on</c>, <c>metrics</c> or <c>off</c>.</summary>
    public const string EnvironmentVariable = "THREADSAFE_LOCK_DIAGNOSTICS";

    // The clock of every timestamp diagnostics take; replaced (never changed) by Enable. Read with Volatile.Read.
    private static TimeProvider s_clock = TimeProvider.System;

    /// <summary>Gets a value indicating whether holders and waiters of every guard are tracked.</summary>
    public static bool IsEnabled => (GuardInstrumentation.Flags & GuardInstrumentation.TrackingFlag) != 0;

    /// <summary>Gets a value indicating whether every guard records contention metrics.</summary>
    public static bool MetricsEnabled => (GuardInstrumentation.Flags & GuardInstrumentation.MetricsFlag) != 0;

    /// <summary>Gets the clock diagnostics time holds and waits with.</summary>
    internal static TimeProvider Clock => Volatile.Read(ref s_clock);

    /// <summary>Turns tracking on for every guard, with metrics if <paramref name="options"/> ask for them.</summary>
    /// <param name="options">What to turn on and the clock to time with; default: tracking only, the system clock.</param>
    public static void Enable(LockDiagnosticsOptions? options = null)
    {
        options ??= new LockDiagnosticsOptions();
        Volatile.Write(ref s_clock, options.Clock);
        int flags = GuardInstrumentation.TrackingFlag | (options.Metrics ? GuardInstrumentation.MetricsFlag : 0);
        GuardInstrumentation.Set(GuardInstrumentation.TrackingFlag | GuardInstrumentation.MetricsFlag, flags);
    }

    /// <summary>
    /// Turns tracking and global metrics off. Acquisitions under way finish their bookkeeping; guards with
    /// <c>RecordsMetrics</c> set go on recording.
    /// </summary>
    public static void Disable() => GuardInstrumentation.Set(GuardInstrumentation.TrackingFlag | GuardInstrumentation.MetricsFlag, 0);

    /// <summary>Lists every tracked guard held or waited on for longer than <paramref name="threshold"/>, longest first.</summary>
    /// <param name="threshold">How long a hold or a wait must have lasted to be listed; <see cref="TimeSpan.Zero"/> lists every held or waited-on guard.</param>
    /// <returns>One <see cref="LockInfo"/> per such guard, with all its holders and waiters.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is negative.</exception>
    /// <remarks>Cheap enough to call from a health check: it copies each registered guard's lists under a short private lock, never a guard's own lock.</remarks>
    public static IReadOnlyList<LockInfo> Snapshot(TimeSpan threshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, TimeSpan.Zero, nameof(threshold));
        var listed = new List<LockInfo>();
        foreach (KeyValuePair<object, LockState> pair in LockState.All())
        {
            LockInfo info = ((IInspectableGuard)pair.Key).GetLockInfo();
            bool busy = info.IsHeld || info.WaiterCount > 0;
            if (busy && (threshold == TimeSpan.Zero || Longest(info) > threshold))
            {
                listed.Add(info);
            }
        }

        listed.Sort(static (a, b) => Longest(b).CompareTo(Longest(a)));
        return listed;
    }

    /// <summary>Lists every tracked guard currently held or waited on, longest first.</summary>
    /// <returns>One <see cref="LockInfo"/> per such guard.</returns>
    public static IReadOnlyList<LockInfo> Snapshot() => Snapshot(TimeSpan.Zero);

    /// <summary>The flags the environment variable asks for; called once, by the switch's static initializer.</summary>
    internal static int FlagsFromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim();
        if (string.IsNullOrEmpty(value) || value.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        if (value.Equals("on", StringComparison.OrdinalIgnoreCase))
        {
            return GuardInstrumentation.TrackingFlag;
        }

        if (value.Equals("metrics", StringComparison.OrdinalIgnoreCase))
        {
            return GuardInstrumentation.TrackingFlag | GuardInstrumentation.MetricsFlag;
        }

        Console.Error.WriteLine($"{EnvironmentVariable}='{value}' is not one of on, metrics, off: lock diagnostics stay off.");
        return 0;
    }

    private static TimeSpan Longest(LockInfo info) => info.LongestHold > info.LongestWait ? info.LongestHold : info.LongestWait;
}
