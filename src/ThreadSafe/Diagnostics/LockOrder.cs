namespace ThreadSafe.Diagnostics;

/// <summary>
/// Lock-order checking for <see cref="Guarded{T}"/>, <see cref="ReadWriteGuarded{T}"/> and <see cref="AsyncGuarded{T}"/>:
/// a potential deadlock is reported the first time two flows are <em>seen</em> taking two guards in opposite orders,
/// long before the unlucky interleaving that would actually deadlock. Off by default; process-wide.
/// </summary>
/// <remarks>
/// <para>
/// Turn it on in code with <see cref="Enable"/>, or without code changes with the environment variable
/// <c>THREADSAFE_LOCK_ORDER=throw</c> or <c>THREADSAFE_LOCK_ORDER=report</c> (read once, when the first guard is used).
/// </para>
/// <para>
/// While on, every blocking acquisition of a guard made while the same flow (a thread, or an async flow across awaits)
/// holds other guards records the orders "held → acquired" with the call stack. An acquisition for which a path of
/// recorded orders leads back from the acquired guard to a held one (A → B then B → A, or a cycle through more guards)
/// is an inversion: in <see cref="LockOrderMode.Throw"/> mode it throws <see cref="LockOrderException"/> before taking
/// the lock; in <see cref="LockOrderMode.Report"/> mode <see cref="Reported"/> receives a <see cref="LockOrderReport"/>
/// (once per pair of locks) and the acquisition goes ahead.
/// </para>
/// <para>
/// No false positives by construction: locks always taken in one order never produce a report, however many threads;
/// a lock released before the next is taken records nothing; read holds of <see cref="ReadWriteGuarded{T}"/> count like
/// write holds (a waiting writer makes readers wait, so a read-read inversion can deadlock too). <c>TryWrite</c> and
/// <c>TryRead</c> with a timeout give up instead of deadlocking, so they are never reported and record no order into
/// the lock they try; once they hold it, it counts as held for the acquisitions made inside.
/// </para>
/// <para>
/// Instances by default: each guard is its own lock. A guard created with a <c>lockClass</c> shares one node with every
/// guard of that class (like Linux lockdep's lock classes): orders seen with one account are checked against all
/// accounts, and nesting two guards of one class is itself reported, which catches <c>Transfer(a, b)</c> against
/// <c>Transfer(b, a)</c> without the two ever running in opposite orders. The trade-off: code that nests instances of
/// one class safely (always by ascending id, say) is reported too, so give such guards no class.
/// </para>
/// <para>
/// Cost: while off, one test of a static field per acquisition. While on, an acquisition with nothing held costs the
/// bookkeeping of the held list; a nested acquisition whose orders are already recorded adds a lock-free scan; a new
/// order takes a global lock and captures a call stack. The graph keeps at most <see cref="MaxEdges"/> orders and holds
/// guards only weakly (see docs/diagnostics.md for measured costs).
/// </para>
/// </remarks>
public static class LockOrder
{
    /// <summary>The environment variable that turns checking on at start-up: <c>throw</c>, <c>report</c> or <c>off</c>.</summary>
    public const string EnvironmentVariable = "THREADSAFE_LOCK_ORDER";

    // The mode as an int, read on every acquisition of every guard. Written with Volatile.Write; a guard that reads a
    // stale value checks one acquisition more or less around the moment of the switch, which no guarantee depends on.
    private static int s_mode = (int)FromEnvironment();

    // Written with Volatile.Write, read with Volatile.Read; validated on write.
    private static int s_maxEdges = 10_000;

    /// <summary>Receives every report in <see cref="LockOrderMode.Report"/> mode, and the graph-full notice in either mode.</summary>
    /// <remarks>
    /// Handlers run on the acquiring flow, before it takes the lock, with no lock of the checker held. Keep them short and
    /// do not take guards in them. A handler that throws makes that acquisition throw the handler's exception, without
    /// taking the lock (a test can use that to fail on the first report). With no handler, reports are written to standard error.
    /// </remarks>
    public static event EventHandler<LockOrderReport>? Reported;

    /// <summary>Gets the current mode.</summary>
    public static LockOrderMode Mode => (LockOrderMode)Volatile.Read(ref s_mode);

    /// <summary>Gets or sets the most orders the graph records (default 10,000). When full, one <see cref="LockOrderReportKind.GraphFull"/> report says so.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxEdges
    {
        get => Volatile.Read(ref s_maxEdges);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(MaxEdges));
            Volatile.Write(ref s_maxEdges, value);
        }
    }

    /// <summary>Gets the number of orders currently recorded.</summary>
    public static int EdgeCount => LockOrderGraph.EdgeCount;

    /// <summary>Gets a value indicating whether checking is on; read by the guards on every instrumented acquisition.</summary>
    internal static bool IsOn => s_mode != 0;

    /// <summary>Turns checking on in <paramref name="mode"/>, or off with <see cref="LockOrderMode.Off"/>. Orders recorded so far are kept.</summary>
    /// <param name="mode">What an inversion does.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a defined <see cref="LockOrderMode"/>.</exception>
    public static void Enable(LockOrderMode mode)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Use LockOrderMode.Off, Report or Throw.");
        }

        Volatile.Write(ref s_mode, (int)mode);
        GuardInstrumentation.Set(GuardInstrumentation.LockOrderFlag, mode == LockOrderMode.Off ? 0 : GuardInstrumentation.LockOrderFlag);
    }

    /// <summary>Turns checking off. Orders recorded so far are kept (see <see cref="Reset"/>).</summary>
    public static void Disable() => Enable(LockOrderMode.Off);

    /// <summary>Forgets every recorded order and every report made, e.g. between tests.</summary>
    public static void Reset() => LockOrderGraph.Reset();

    internal static void Publish(LockOrderReport report)
    {
        EventHandler<LockOrderReport>? handler = Reported;
        if (handler is null)
        {
            Console.Error.WriteLine(report.ToString());
        }
        else
        {
            handler(null, report);
        }
    }

    private static LockOrderMode FromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim();
        if (string.IsNullOrEmpty(value) || value.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return LockOrderMode.Off;
        }

        if (value.Equals("throw", StringComparison.OrdinalIgnoreCase))
        {
            return LockOrderMode.Throw;
        }

        if (value.Equals("report", StringComparison.OrdinalIgnoreCase))
        {
            return LockOrderMode.Report;
        }

        Console.Error.WriteLine($"{EnvironmentVariable}='{value}' is not one of throw, report, off: lock-order checking stays off.");
        return LockOrderMode.Off;
    }
}
