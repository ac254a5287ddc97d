using System.Runtime.ExceptionServices;

namespace ThreadSafe.Tests.Shared;

/// <summary>
/// A real, named thread whose exception (an assertion, say) is rethrown by <see cref="Join"/> instead of crashing
/// the test host. For N threads running the same body, prefer <c>Concurrently.Run</c> from ThreadSafe.Testing;
/// a test thread is for the different roles of one scenario (a holder and a waiter, say).
/// </summary>
internal sealed class TestThread
{
    private readonly Thread _thread;
    private Exception? _failure;

    private TestThread(Action body, string name)
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
        {
            IsBackground = true,
            Name = name,
        };
    }

    /// <summary>The thread's name, as given to <see cref="Start"/>.</summary>
    public string Name => _thread.Name ?? "";

    /// <summary>Starts <paramref name="body"/> on a new background thread named <paramref name="name"/>.</summary>
    public static TestThread Start(Action body, string name = "test thread")
    {
        ArgumentNullException.ThrowIfNull(body);
        var thread = new TestThread(body, name);
        thread._thread.Start();
        return thread;
    }

    /// <summary>Waits (bounded by <see cref="TestLimits.Wait"/>) for the thread and rethrows its exception, if any.</summary>
    public void Join() => JoinAll(this);

    /// <summary>Waits (bounded) for every thread, fails naming those still running, then rethrows the first failure.</summary>
    public static void JoinAll(params TestThread[] threads)
    {
        ArgumentNullException.ThrowIfNull(threads);
        var stuck = threads.Where(t => !t._thread.Join(TestLimits.Wait)).Select(t => t.Name).ToList();
        Assert.True(stuck.Count == 0, $"Still running after {TestLimits.Wait.TotalSeconds:0} s (deadlock?): {string.Join(", ", stuck)}.");
        foreach (TestThread thread in threads)
        {
            if (thread._failure is not null)
            {
                ExceptionDispatchInfo.Capture(thread._failure).Throw();
            }
        }
    }

    /// <summary>True once the thread is blocked (waiting, sleeping or joining): lets a test wait until a thread is parked on a lock.</summary>
    public bool IsBlocked => (_thread.ThreadState & ThreadState.WaitSleepJoin) != 0;
}
