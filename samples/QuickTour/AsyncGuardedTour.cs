using ThreadSafe;

namespace QuickTour;

/// <summary>AsyncGuarded&lt;T&gt;: await a FIFO lock; async delegates keep it across their awaits.</summary>
internal static class AsyncGuardedTour
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private sealed class Counter
    {
        public int Value;
    }

    public static string Run()
    {
        // 1. Exclusion across awaits: read, await, write back, from many tasks; no update is lost.
        const int Tasks = 4, PerTask = 2_000;
        var counter = new AsyncGuarded<Counter>(new Counter());
        Task[] workers = Enumerable.Range(0, Tasks).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < PerTask; i++)
            {
                if (i % 10 == 0)
                {
                    await counter.WriteAsync(async (c, ct) =>
                    {
                        int seen = c.Value;
                        await Task.Yield(); // another thread may resume us: the lock is still ours
                        c.Value = seen + 1;
                    });
                }
                else
                {
                    await counter.WriteAsync(static c => c.Value++);
                }
            }
        })).ToArray();
        Check.That(Task.WhenAll(workers).Wait(Timeout), "the workers did not finish within 60 s");
        int total = counter.ReadAsync(static c => c.Value).AsTask().Result;
        Check.That(total == Tasks * PerTask, $"expected {Tasks * PerTask} increments, counted {total}");

        // 2. FIFO with a cancelled waiter in the middle: the others run in call order, the cancelled one never.
        var log = new AsyncGuarded<List<string>>([]);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task holder = log.WriteAsync(async (l, ct) => await gate.Task).AsTask(); // free: held at once
        using var cts = new CancellationTokenSource();
        Task[] queued =
        [
            log.WriteAsync("a", static (l, s) => l.Add(s)).AsTask(),
            log.WriteAsync("cancelled", static (l, s) => l.Add(s), cts.Token).AsTask(),
            log.WriteAsync("b", static (l, s) => l.Add(s)).AsTask(),
            log.WriteAsync("c", static (l, s) => l.Add(s)).AsTask(),
        ];
        cts.Cancel();
        gate.SetResult();
        Check.That(Task.WhenAll(queued.Append(holder).Where(t => t != queued[1])).Wait(Timeout), "the queue did not drain");
        try
        {
            queued[1].Wait(Timeout);
        }
        catch (AggregateException ex) when (ex.InnerException is OperationCanceledException)
        {
            // expected: the cancelled waiter's call ends as canceled
        }

        Check.That(queued[1].IsCanceled, "the cancelled waiter was not canceled");
        string order = string.Join(",", log.ReadAsync(static l => l.ToArray()).AsTask().Result);
        Check.That(order == "a,b,c", $"expected FIFO a,b,c, got {order}");

        // 3. The uncontended state-passing call completes synchronously and allocates nothing.
        var cells = new AsyncGuarded<int[]>(new int[1]);
        Increment(cells); // first call allocates the cached static delegate once
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            Increment(cells);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Check.That(allocated == 0, $"10,000 uncontended calls allocated {allocated} bytes");

        // 4. Re-entry from inside a delegate is an exception, not a deadlock.
        bool detected = counter.WriteAsync(c =>
        {
            try
            {
                _ = counter.ReadAsync(static x => x.Value).AsTask();
                return false;
            }
            catch (LockRecursionException)
            {
                return true;
            }
        }).AsTask().Result;
        Check.That(detected, "re-entry was not detected");

        return $"{Tasks} tasks x {PerTask:N0} increments = {total:N0}; FIFO {order} (cancelled waiter skipped); 0 B per uncontended call; re-entry throws";
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2012:Use ValueTasks correctly", Justification = "Shows that the call completed synchronously; a completed ValueTask needs no awaiting.")]
    private static void Increment(AsyncGuarded<int[]> cells) =>
        Check.That(cells.WriteAsync(1, static (a, x) => { a[0] += x; }).IsCompletedSuccessfully, "an uncontended call did not complete synchronously");
}
