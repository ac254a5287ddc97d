using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ThreadSafe.Testing;

/// <summary>
/// Runs a body from several threads (or tasks) at once: all are released together by a start barrier,
/// every exception is collected, and a run that does not finish in time fails naming the threads still
/// running instead of hanging the test run.
/// </summary>
/// <example>
/// <code>
/// var counter = new MyCounter();
/// Concurrently.Run(i => { for (int k = 0; k &lt; 1000; k++) counter.Increment(); },
///     new ConcurrentRunOptions { Threads = 4, Repeat = 10 });
/// </code>
/// </example>
public static class Concurrently
{
    /// <summary>Runs <paramref name="body"/> on <see cref="ConcurrentRunOptions.Threads"/> new threads released together, <see cref="ConcurrentRunOptions.Repeat"/> times.</summary>
    /// <param name="body">The body; it receives the 0-based thread index.</param>
    /// <param name="options">Threads, repetitions and timeout; <see langword="null"/> for <see cref="ConcurrentRunOptions.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ConcurrencyTestException">
    /// A thread threw (the inner <see cref="AggregateException"/> holds every exception), or a repetition
    /// timed out (the message names the threads still running, which are background threads and are abandoned, and the
    /// inner <see cref="AggregateException"/> holds the exceptions of the threads that finished by throwing).
    /// </exception>
    public static void Run(Action<int> body, ConcurrentRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        options ??= ConcurrentRunOptions.Default;
        options.Validate(nameof(options));
        for (int repetition = 0; repetition < options.Repeat; repetition++)
        {
            RunOnce(body, options, repetition);
        }
    }

    /// <summary>Runs <paramref name="body"/> as <see cref="ConcurrentRunOptions.Threads"/> tasks released together, <see cref="ConcurrentRunOptions.Repeat"/> times.</summary>
    /// <param name="body">The asynchronous body; it receives the 0-based task index.</param>
    /// <param name="options">Tasks, repetitions and timeout; <see langword="null"/> for <see cref="ConcurrentRunOptions.Default"/>.</param>
    /// <param name="cancellationToken">Stops waiting for the tasks (they are abandoned, not cancelled).</param>
    /// <returns>A task that completes when every repetition has finished.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ConcurrencyTestException">A task threw, or a repetition timed out (the message names the tasks still running; the inner <see cref="AggregateException"/> holds the exceptions of the tasks that finished by throwing).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task RunAsync(Func<int, Task> body, ConcurrentRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        options ??= ConcurrentRunOptions.Default;
        options.Validate(nameof(options));
        for (int repetition = 0; repetition < options.Repeat; repetition++)
        {
            await RunOnceAsync(body, options, repetition, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void RunOnce(Action<int> body, ConcurrentRunOptions options, int repetition)
    {
        int n = options.Threads;
        var start = new ManualResetEvent(false);
        var allReady = new ManualResetEvent(false);
        int ready = 0;
        int awake = 0;
        var errors = new Exception?[n];
        var threads = new Thread[n];
        for (int i = 0; i < n; i++)
        {
            int index = i;
            threads[i] = new Thread(() =>
            {
                // Start barrier: the last thread to arrive tells the starter; everyone waits for the gate.
                if (Interlocked.Increment(ref ready) == n)
                {
                    allReady.Set();
                }

                start.WaitOne();

                // Waking from the gate takes each thread a different time. A short, bounded spin until all
                // are awake lines the bodies up within microseconds, so they really overlap. Bounded because
                // with more threads than cores a thread may not run until the others yield.
                Interlocked.Increment(ref awake);
                for (int spin = 0; spin < 1000 && Volatile.Read(ref awake) < n; spin++)
                {
                    Thread.SpinWait(20);
                }

                try
                {
                    body(index);
                }
                catch (Exception ex)
                {
                    // Each thread writes only its own slot; Join publishes it to the starter.
                    errors[index] = ex;
                }
            })
            {
                IsBackground = true,
                Name = ThreadLabel(options, index),
            };
        }

        var clock = Stopwatch.StartNew();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        // If a thread never gets scheduled the gate opens anyway; the joins below then report it.
        allReady.WaitOne(options.Timeout);
        start.Set();

        var stuck = new List<int>();
        for (int i = 0; i < n; i++)
        {
            TimeSpan left = options.Timeout - clock.Elapsed;
            if (!threads[i].Join(left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                stuck.Add(i);
            }
        }

        if (stuck.Count > 0)
        {
            // The stuck threads may still touch the events: they are not disposed. The exceptions of the
            // threads that finished (published by their Join) are kept: they are often why the others hang.
            var finished = new Exception?[n];
            for (int i = 0; i < n; i++)
            {
                finished[i] = stuck.Contains(i) ? null : errors[i];
            }

            throw TimedOut(options, repetition, stuck, "thread", finished);
        }

        start.Dispose();
        allReady.Dispose();
        ThrowIfAnyFailed(errors, options, repetition, "thread");
    }

    private static async Task RunOnceAsync(Func<int, Task> body, ConcurrentRunOptions options, int repetition, CancellationToken cancellationToken)
    {
        int n = options.Threads;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = new Task[n];
        for (int i = 0; i < n; i++)
        {
            int index = i;
            tasks[i] = Task.Run(async () =>
            {
                await start.Task.ConfigureAwait(false);
                await body(index).ConfigureAwait(false);
            }, CancellationToken.None);
        }

        // Every task's continuation is queued at once when the gate opens.
        start.SetResult();
        Task all = Task.WhenAll(tasks);
        try
        {
            await all.WaitAsync(options.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The exceptions of the tasks that finished are kept: they are often why the others hang.
            var stuck = Enumerable.Range(0, n).Where(i => !tasks[i].IsCompleted).ToList();
            throw TimedOut(options, repetition, stuck, "task", Errors(tasks));
        }
        catch (Exception) when (all.IsCompleted)
        {
        }

        ThrowIfAnyFailed(Errors(tasks), options, repetition, "task");
    }

    // The exception of each finished task that failed; null for the others.
    private static Exception?[] Errors(Task[] tasks)
    {
        var errors = new Exception?[tasks.Length];
        for (int i = 0; i < tasks.Length; i++)
        {
            if (tasks[i].IsFaulted || tasks[i].IsCanceled)
            {
                errors[i] = tasks[i].Exception?.InnerExceptions.Count == 1
                    ? tasks[i].Exception!.InnerException
                    : (Exception?)tasks[i].Exception ?? new TaskCanceledException(tasks[i]);
            }
        }

        return errors;
    }

    private static string ThreadLabel(ConcurrentRunOptions options, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{options.ThreadName} #{index}");

    private static string TimeoutMessage(ConcurrentRunOptions options, int repetition, List<int> stuck, string kind) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"Repetition {repetition + 1} of {options.Repeat} did not finish within {options.Timeout.TotalSeconds:0.###} s: {stuck.Count} of {options.Threads} {kind}s still running: {string.Join(", ", stuck.Select(i => ThreadLabel(options, i)))}. Look for a deadlock, a lost wakeup or a wait without a timeout.");

    private static ConcurrencyTestException TimedOut(ConcurrentRunOptions options, int repetition, List<int> stuck, string kind, Exception?[] finishedErrors)
    {
        string message = TimeoutMessage(options, repetition, stuck, kind);
        (List<Exception> failed, StringBuilder text) = Collect(finishedErrors, options);
        return failed.Count == 0
            ? new ConcurrencyTestException(message)
            : new ConcurrencyTestException(
                message + string.Create(CultureInfo.InvariantCulture, $" Meanwhile {failed.Count} finished {kind}(s) threw:") + text,
                new AggregateException(failed));
    }

    private static (List<Exception> Failed, StringBuilder Text) Collect(Exception?[] errors, ConcurrentRunOptions options)
    {
        var failed = new List<Exception>();
        var text = new StringBuilder();
        for (int i = 0; i < errors.Length; i++)
        {
            if (errors[i] is Exception ex)
            {
                failed.Add(ex);
                text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  {ThreadLabel(options, i)}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        return (failed, text);
    }

    private static void ThrowIfAnyFailed(Exception?[] errors, ConcurrentRunOptions options, int repetition, string kind)
    {
        (List<Exception> failed, StringBuilder text) = Collect(errors, options);
        if (failed.Count > 0)
        {
            throw new ConcurrencyTestException(
                string.Create(CultureInfo.InvariantCulture, $"{failed.Count} of {errors.Length} {kind}s threw in repetition {repetition + 1} of {options.Repeat}:") + text,
                new AggregateException(failed));
        }
    }
}
