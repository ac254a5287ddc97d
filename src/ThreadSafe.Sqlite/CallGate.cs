namespace ThreadSafe.Sqlite;

/// <summary>
/// Counts the calls inside a <see cref="SqliteDatabase"/> so that shutdown can refuse new calls and wait for the ones
/// already inside: <see cref="TryEnter"/> succeeds until <see cref="Close"/>, and the task <see cref="Close"/> returns
/// completes once every successful <see cref="TryEnter"/> has been matched by its <see cref="Exit"/>.
/// </summary>
internal sealed class CallGate
{
    // Guards _inside, _closed and _drained. Private, so no outside code can lock on it. No task is completed under it.
    private readonly object _lock = new();

    // Guarded by _lock. Calls that entered and have not exited. Never negative.
    private int _inside;

    // Guarded by _lock. Set once by Close; from then on TryEnter fails.
    private bool _closed;

    // Guarded by _lock. Created by the first Close; completed (outside the lock) when _closed and _inside reaches 0.
    private TaskCompletionSource? _drained;

    /// <summary>Enters the gate, unless it is closed.</summary>
    /// <returns><see langword="false"/> if <see cref="Close"/> was called; then the caller must not run.</returns>
    public bool TryEnter()
    {
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            _inside++;
            return true;
        }
    }

    /// <summary>Leaves the gate after a successful <see cref="TryEnter"/>. The last call to leave a closed gate completes the drain.</summary>
    public void Exit()
    {
        TaskCompletionSource? drained = null;
        lock (_lock)
        {
            if (_inside <= 0)
            {
                throw new InvalidOperationException("CallGate.Exit without a matching TryEnter.");
            }

            _inside--;
            if (_closed && _inside == 0)
            {
                drained = _drained;
            }
        }

        drained?.TrySetResult();
    }

    /// <summary>Closes the gate (idempotent).</summary>
    /// <returns>A task that completes when no call is inside any more; every call returns the same task.</returns>
    public Task Close()
    {
        TaskCompletionSource drained;
        bool empty;
        lock (_lock)
        {
            if (_drained is not null)
            {
                return _drained.Task;
            }

            _closed = true;
            drained = _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            empty = _inside == 0;
        }

        if (empty)
        {
            drained.TrySetResult();
        }

        return drained.Task;
    }
}
