namespace ThreadSafe.Tests.ReadWriteGuarded;

/// <summary>A real thread whose exception (an assertion, say) is rethrown by <see cref="JoinAll"/> instead of crashing the test host.</summary>
internal sealed class TestThread
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Thread _thread;
    private Exception? _failure;

    private TestThread(Action body)
    {
        _thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception ex)
            {
                _failure = ex;
            }
        })
        { IsBackground = true };
    }

    public static TestThread Start(Action body)
    {
        var thread = new TestThread(body);
        thread._thread.Start();
        return thread;
    }

    /// <summary>Waits (bounded) for every thread and rethrows the first failure.</summary>
    public static void JoinAll(params TestThread[] threads)
    {
        foreach (TestThread thread in threads)
        {
            Assert.True(thread._thread.Join(Patience), "a thread did not finish in time (deadlock?)");
        }

        foreach (TestThread thread in threads)
        {
            if (thread._failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(thread._failure).Throw();
            }
        }
    }

    /// <summary>Spins (yielding) until <paramref name="condition"/> holds; false after <see cref="Patience"/>.</summary>
    public static bool Until(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var spin = default(SpinWait);
        while (!condition())
        {
            if (clock.Elapsed > Patience)
            {
                return false;
            }

            spin.SpinOnce();
        }

        return true;
    }
}
