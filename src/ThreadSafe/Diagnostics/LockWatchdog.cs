namespace ThreadSafe.Diagnostics;

/// <summary>
/// Reports guards held or waited on longer than a threshold, once per episode, to a callback. Needs
/// <see cref="LockDiagnostics"/> on (it reads the tracked holders and waiters). Runs on its own background thread until
/// disposed; <see cref="CheckNowAsync"/> checks on demand (and is all a test needs: pass no interval).
/// </summary>
/// <remarks>
/// <para>
/// An <b>episode</b> of a guard begins when one of its holders or waiters has been at it longer than the threshold.
/// The report names every holder and waiter the guard has then; the guard is not reported again until all of those
/// flows have released it or stopped waiting. A guard still stuck with new flows after that is a new episode.
/// </para>
/// <para>
/// The callback contract. The watchdog's thread only checks: each report is delivered on the thread pool, one work item
/// per report, so reports of different guards can run concurrently. A callback that <b>throws</b> loses that report
/// (counted in <see cref="CallbackFailures"/>); the watchdog goes on. A callback that <b>uses the guard</b> it is told
/// about, or calls <see cref="LockDiagnostics.Snapshot(TimeSpan)"/>, is fine: no diagnostics lock is held while it runs
/// (taking a stuck guard simply waits, as any caller would). An <b>async</b> callback (the <see cref="Func{T, TResult}"/>
/// overload) is awaited; its failures count like a throw; an async lambda given to the <see cref="Action{T}"/> overload
/// is refused. A callback that <b>never returns</b> keeps one pool thread and its report's <see cref="CheckNowAsync"/>
/// task, and delays nothing else: later reports, of this guard or others, are still delivered. Disposing never waits for
/// callbacks.
/// </para>
/// </remarks>
public sealed class LockWatchdog : IDisposable
{
    private readonly Func<LockInfo, Task> _onHang;
    private readonly TimeSpan _interval;

    // Guards _reported and serializes checks (the thread's and CheckNowAsync's). No user code runs under it.
    private readonly object _checking = new();

    // Guarded by _checking. The flows named by a report, kept while they still hold or wait (see the class remarks).
    private readonly HashSet<LockEntry> _reported = new(ReferenceEqualityComparer.Instance);

    // Guards _stopping; the monitor the watchdog's thread sleeps on between checks and is woken on by Dispose.
    private readonly object _sleep = new();

    // Guarded by _sleep.
    private bool _stopping;

    private readonly Thread? _thread;
    private int _callbackFailures;

    /// <summary>Starts a watchdog that calls <paramref name="onHang"/> with each guard held or waited on longer than <paramref name="threshold"/>.</summary>
    /// <param name="threshold">How long a hold or a wait may last before it is reported.</param>
    /// <param name="onHang">Receives each report, on the thread pool (see the class remarks for the contract).</param>
    /// <param name="checkInterval">How often the watchdog's thread checks; default half the threshold. <see cref="Timeout.InfiniteTimeSpan"/> starts no thread: only <see cref="CheckNowAsync"/> checks.</param>
    /// <exception cref="ArgumentNullException"><paramref name="onHang"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="onHang"/> is an <see langword="async"/> lambda or method (async void): use the overload taking a <see cref="Func{T, TResult}"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is not positive, or <paramref name="checkInterval"/> is neither positive nor infinite.</exception>
    /// <exception cref="InvalidOperationException"><see cref="LockDiagnostics"/> is off, so nothing would ever be reported.</exception>
    public LockWatchdog(TimeSpan threshold, Action<LockInfo> onHang, TimeSpan? checkInterval = null)
        : this(threshold, Wrap(onHang), checkInterval)
    {
    }

    /// <summary>Starts a watchdog that awaits <paramref name="onHangAsync"/> with each guard held or waited on longer than <paramref name="threshold"/>.</summary>
    /// <param name="threshold">How long a hold or a wait may last before it is reported.</param>
    /// <param name="onHangAsync">Receives each report, on the thread pool, and is awaited (see the class remarks for the contract).</param>
    /// <param name="checkInterval">How often the watchdog's thread checks; default half the threshold. <see cref="Timeout.InfiniteTimeSpan"/> starts no thread: only <see cref="CheckNowAsync"/> checks.</param>
    /// <exception cref="ArgumentNullException"><paramref name="onHangAsync"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is not positive, or <paramref name="checkInterval"/> is neither positive nor infinite.</exception>
    /// <exception cref="InvalidOperationException"><see cref="LockDiagnostics"/> is off, so nothing would ever be reported.</exception>
    public LockWatchdog(TimeSpan threshold, Func<LockInfo, Task> onHangAsync, TimeSpan? checkInterval = null)
    {
        ArgumentNullException.ThrowIfNull(onHangAsync);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(threshold, TimeSpan.Zero, nameof(threshold));
        TimeSpan interval = checkInterval ?? threshold / 2;
        if (interval != Timeout.InfiniteTimeSpan)
        {
            if (interval <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(checkInterval), checkInterval, "The check interval must be positive, or Timeout.InfiniteTimeSpan for checks on demand only.");
            }

            Timeouts.ThrowIfNotFinite(interval, nameof(checkInterval));
        }

        if (!LockDiagnostics.IsEnabled)
        {
            throw new InvalidOperationException(
                "Lock diagnostics are off, so the watchdog would never see a holder: call LockDiagnostics.Enable() (or set THREADSAFE_LOCK_DIAGNOSTICS=on) first.");
        }

        Threshold = threshold;
        _onHang = onHangAsync;
        _interval = interval;
        if (interval != Timeout.InfiniteTimeSpan)
        {
            _thread = new Thread(Loop) { IsBackground = true, Name = "ThreadSafe lock watchdog" };
            _thread.Start();
        }
    }

    /// <summary>Gets how long a hold or a wait may last before it is reported.</summary>
    public TimeSpan Threshold { get; }

    /// <summary>Gets a value indicating whether the watchdog's thread is running (for tests).</summary>
    internal bool IsRunning => _thread is { IsAlive: true };

    /// <summary>Gets how many callbacks threw (or, async, failed); each lost only its own report.</summary>
    public int CallbackFailures => Volatile.Read(ref _callbackFailures);

    /// <summary>
    /// Checks now: reports each guard that starts an episode (see the class remarks) to the callback, on the thread pool.
    /// </summary>
    /// <returns>A task that completes with the reports of this check once their callbacks have returned (failures are counted, not thrown).</returns>
    public Task<IReadOnlyList<LockInfo>> CheckNowAsync()
    {
        List<LockInfo> due = Check();
        if (due.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<LockInfo>>(due);
        }

        var deliveries = new Task[due.Count];
        for (int i = 0; i < due.Count; i++)
        {
            LockInfo report = due[i];
            deliveries[i] = Task.Run(() => DeliverAsync(report));
        }

        return AfterAsync(deliveries, due);
    }

    /// <summary>Stops the watchdog's thread (waiting for the check under way, never for a callback).</summary>
    public void Dispose()
    {
        lock (_sleep)
        {
            _stopping = true;
            Monitor.PulseAll(_sleep);
        }

        if (_thread is not null && _thread != Thread.CurrentThread)
        {
            _thread.Join();
        }
    }

    private static Func<LockInfo, Task> Wrap(Action<LockInfo> onHang)
    {
        ArgumentNullException.ThrowIfNull(onHang);
        if (AsyncDelegates.IsAsync(onHang))
        {
            throw AsyncDelegates.Refused(nameof(onHang), "LockWatchdog(threshold, onHang)", "the constructor taking a Func<LockInfo, Task>, which awaits the callback");
        }

        return info =>
        {
            onHang(info);
            return Task.CompletedTask;
        };
    }

    private static async Task<IReadOnlyList<LockInfo>> AfterAsync(Task[] deliveries, List<LockInfo> due)
    {
        await Task.WhenAll(deliveries).ConfigureAwait(false);
        return due;
    }

    private async Task DeliverAsync(LockInfo report)
    {
        try
        {
            await _onHang(report).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The callback's failure loses its own report, nothing else (see the class remarks).
            Interlocked.Increment(ref _callbackFailures);
        }
    }

    // The watchdog's thread: sleeps an interval on _sleep (Dispose wakes it), then checks; never runs user code.
    private void Loop()
    {
        while (true)
        {
            lock (_sleep)
            {
                if (!_stopping)
                {
                    Monitor.Wait(_sleep, _interval);
                }

                if (_stopping)
                {
                    return;
                }
            }

            try
            {
                _ = CheckNowAsync();
            }
            catch (Exception)
            {
                // Only a throwing clock (LockDiagnosticsOptions.Clock) can get here: skip this check, keep watching.
            }
        }
    }

    // One check: the guards that start an episode now. Reads each registered guard's entries, never a guard's own lock.
    private List<LockInfo> Check()
    {
        var due = new List<LockInfo>();
        TimeProvider clock = LockDiagnostics.Clock;
        lock (_checking)
        {
            long now = clock.GetTimestamp();
            var live = new HashSet<LockEntry>(ReferenceEqualityComparer.Instance);
            foreach (KeyValuePair<object, LockState> pair in LockState.All())
            {
                (LockEntry Entry, long Since)[] entries = pair.Value.Read(out _);
                bool inEpisode = false;
                bool overdue = false;
                foreach ((LockEntry entry, long since) in entries)
                {
                    live.Add(entry);
                    inEpisode |= _reported.Contains(entry);
                    overdue |= clock.GetElapsedTime(since, now) > Threshold;
                }

                if (overdue && !inEpisode)
                {
                    due.Add(((IInspectableGuard)pair.Key).GetLockInfo());
                    foreach ((LockEntry entry, _) in entries)
                    {
                        _reported.Add(entry);
                    }
                }
            }

            // Episodes end when every flow they named is gone.
            _reported.IntersectWith(live);
        }

        return due;
    }
}
