using ThreadSafe;

namespace QuickTour;

/// <summary>ThreadConfined&lt;T&gt;: per-request state that fails loudly when another thread touches it.</summary>
internal static class ThreadConfinedTour
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static string Run()
    {
        ThreadConfined<string>? session = null;
        string? leakMessage = null;
        string? received = null;

        // The request thread owns the session; a background thread that got hold of it is stopped.
        using var handedOff = new ManualResetEvent(false);
        var worker = new Thread(() =>
        {
            Check.That(handedOff.WaitOne(Timeout), "no hand-off within 60 s");
            received = session!.Value; // legitimate: ownership was handed to this thread
        })
        { Name = "audit-worker", IsBackground = true };

        var request = new Thread(() =>
        {
            session = new ThreadConfined<string>("signed in as alice");
            var leak = new Thread(() =>
            {
                try
                {
                    _ = session.Value;
                }
                catch (InvalidOperationException ex)
                {
                    leakMessage = ex.Message;
                }
            })
            { Name = "background-job", IsBackground = true };
            leak.Start();
            Check.That(leak.Join(Timeout), "the background job did not finish");

            session.Value += " (verified)";
            session.HandOffTo(worker); // the explicit, legitimate transfer
            handedOff.Set();
        })
        { Name = "request-1", IsBackground = true };

        worker.Start();
        request.Start();
        Check.That(request.Join(Timeout) && worker.Join(Timeout), "the threads did not finish within 60 s");

        Check.That(leakMessage is not null, "the background job read the session without an exception");
        Check.That(leakMessage!.Contains("'request-1'", StringComparison.Ordinal) && leakMessage.Contains("'background-job'", StringComparison.Ordinal),
            $"the message does not name both threads: {leakMessage}");
        Check.That(received == "signed in as alice (verified)", $"the hand-off delivered '{received}'");
        return "a background thread touching the request's session threw, naming 'request-1' and 'background-job'; HandOffTo delivered it to 'audit-worker'";
    }
}
