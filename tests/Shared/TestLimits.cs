namespace ThreadSafe.Tests.Shared;

/// <summary>
/// The one set of time limits and sizes for every test. A limit bounds a wait so that a bug (a deadlock, a
/// lost wake-up) fails the test instead of hanging it; a passing test never comes near one, so the limits
/// are generous for a loaded 2-core CI machine and never shortened to make a test faster.
/// </summary>
internal static class TestLimits
{
    /// <summary>
    /// The bound on any one wait that should end promptly: a thread join, an awaited call, a polled condition,
    /// a blocked handler waiting to be released.
    /// </summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>The bound on a whole stress run (many threads, many operations), which may take long on a loaded machine.</summary>
    public static readonly TimeSpan StressRun = TimeSpan.FromSeconds(120);

    /// <summary>
    /// A short pause used only to show that something does <em>not</em> happen (a blocked writer stays blocked).
    /// A bug may slip through such a check on an unlucky schedule, but the check never fails a correct program;
    /// it is never used to wait for something to happen.
    /// </summary>
    public static readonly TimeSpan Absence = TimeSpan.FromMilliseconds(50);

    /// <summary>True when the long stress sizes are asked for (<c>THREADSAFE_STRESS=1</c>); the default run stays short.</summary>
    public static bool Stress => Environment.GetEnvironmentVariable("THREADSAFE_STRESS") == "1";

    /// <summary><paramref name="quick"/> in the default run, <paramref name="stress"/> under <c>THREADSAFE_STRESS=1</c>.</summary>
    public static int Size(int quick, int stress) => Stress ? stress : quick;
}
