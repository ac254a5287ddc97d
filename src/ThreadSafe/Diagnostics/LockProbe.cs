namespace ThreadSafe.Diagnostics;

/// <summary>
/// The diagnostics of one acquisition of a synchronous guard, kept in a local: <see cref="StartWaiting"/> when the lock
/// was not free, <see cref="Acquired"/> once it is held, <see cref="Leave"/> before it is released (or when the wait
/// ends without it), <see cref="RecordMetrics"/> after it is released. Inactive (every call does nothing) when the
/// acquisition is not tracked.
/// </summary>
internal struct LockProbe
{
    private readonly LockState? _state;
    private readonly LockEntry? _entry;
    private readonly TimeProvider? _clock;
    private long _acquiredAt;
    private long _releasedAt;
    private bool _acquired;

    private LockProbe(LockState state, LockEntry entry, TimeProvider clock)
    {
        _state = state;
        _entry = entry;
        _clock = clock;
    }

    /// <summary>Gets a value indicating whether the acquisition is tracked.</summary>
    public readonly bool IsActive => _state is not null;

    /// <summary>Starts the diagnostics of an acquisition, or an inactive probe when neither tracking nor metrics apply to it.</summary>
    public static LockProbe Start(ref GuardedIdentity identity, object guard, LockAccess access, bool isAsync = false)
    {
        LockEntry? entry = identity.NewEntry(access, isAsync);
        return entry is null ? default : new LockProbe(identity.State(guard), entry, LockDiagnostics.Clock);
    }

    /// <summary>The lock was not free: the flow waits from now (counted as a contention).</summary>
    public readonly void StartWaiting()
    {
        if (_state is null)
        {
            return;
        }

        _state.AddWaiter(_entry!, _clock!.GetTimestamp());
        if (_entry!.Metrics)
        {
            LockMetrics.Contended(_state, _entry.Access);
        }
    }

    /// <summary>The lock is held (called under it): the flow holds from now.</summary>
    public void Acquired()
    {
        if (_state is null)
        {
            return;
        }

        _acquiredAt = _clock!.GetTimestamp();
        _acquired = true;
        _state.AddHolder(_entry!, _acquiredAt);
    }

    /// <summary>The flow is about to release the lock, or stopped waiting without it; does nothing the second time.</summary>
    public void Leave()
    {
        if (_state is null || !_entry!.Listed)
        {
            return;
        }

        if (_acquired && _entry.Metrics)
        {
            _releasedAt = _clock!.GetTimestamp(); // only the hold-time metric needs it
        }

        _state.Remove(_entry);
    }

    /// <summary>Records the wait and hold of an acquisition that got the lock; call after releasing it (listeners are user code).</summary>
    public readonly void RecordMetrics()
    {
        if (_state is null || !_acquired || !_entry!.Metrics)
        {
            return;
        }

        TimeSpan wait = _entry.Waited ? _clock!.GetElapsedTime(_entry.WaitStart, _acquiredAt) : TimeSpan.Zero;
        LockMetrics.Acquisition(_state, _entry.Access, wait, _clock!.GetElapsedTime(_acquiredAt, _releasedAt));
    }
}
