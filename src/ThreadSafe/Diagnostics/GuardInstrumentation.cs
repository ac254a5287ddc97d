namespace ThreadSafe.Diagnostics;

/// <summary>
/// The one switch every guard reads on every acquisition: whether any diagnostics (lock-order checking, holder tracking,
/// metrics) is on, so that the uncontended path pays one static field test whatever is switched on or off.
/// </summary>
/// <remarks>
/// The flags word changes only by compare-and-swap (<see cref="Set"/>), so concurrent switches of different features
/// never lose each other. Guards read it with a plain read: a guard that reads a stale value instruments one acquisition
/// more or less around the moment of a switch, which no guarantee depends on (each acquisition decides once and its
/// release follows that decision, never the flag).
/// </remarks>
internal static class GuardInstrumentation
{
    /// <summary>Lock-order checking is on (<see cref="LockOrder"/>).</summary>
    public const int LockOrderFlag = 1;

    /// <summary>Holder and waiter tracking is on for every guard (<see cref="LockDiagnostics"/>).</summary>
    public const int TrackingFlag = 2;

    /// <summary>Contention metrics are on for every guard (implies tracking).</summary>
    public const int MetricsFlag = 4;

    // The flags above, or-ed. Changed only by Set (compare-and-swap); read by every acquisition of every guard.
    // The initializer makes only plain reads: an Interlocked or Volatile call is a scheduling point under Coyote, where
    // the thread may be interrupted at the end of an iteration, and an exception here would poison the type for good.
    private static int s_flags = (LockOrder.IsOn ? LockOrderFlag : 0) | LockDiagnostics.FlagsFromEnvironment();

    /// <summary>Gets a value indicating whether any diagnostics is on; the guards' hot-path test.</summary>
    public static bool IsOn => s_flags != 0;

    /// <summary>Gets the current flags.</summary>
    public static int Flags => Volatile.Read(ref s_flags);

    /// <summary>Sets the bits of <paramref name="mask"/> to those of <paramref name="value"/>, leaving the others.</summary>
    public static void Set(int mask, int value)
    {
        int seen = Volatile.Read(ref s_flags);
        while (true)
        {
            int next = (seen & ~mask) | (value & mask);
            int prior = Interlocked.CompareExchange(ref s_flags, next, seen);
            if (prior == seen)
            {
                return;
            }

            seen = prior;
        }
    }
}
