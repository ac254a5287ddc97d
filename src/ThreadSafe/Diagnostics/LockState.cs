using System.Runtime.CompilerServices;

namespace ThreadSafe.Diagnostics;

/// <summary>
/// What diagnostics know of one guard: the flows holding it and the flows waiting for it. Made on the guard's first
/// tracked acquisition and registered, weakly, in a process-wide table for <see cref="LockDiagnostics.Snapshot(TimeSpan)"/>
/// and <see cref="LockWatchdog"/>.
/// </summary>
/// <remarks>
/// The guards change the lists at the points that keep them a subset of the truth: a holder is added after the guard's
/// lock is taken and removed before it is released, so the lists never show two writers, or a writer beside readers,
/// even for a moment. <see cref="_sync"/> is a leaf lock: nothing else is locked, and no user code runs, while it is held.
/// </remarks>
internal sealed class LockState
{
    // Every guard with a state, keyed weakly by the guard: an entry goes when its guard is collected.
    private static readonly ConditionalWeakTable<object, LockState> Registry = new();

    // Guards _holders, _waiters and the mutable fields of the entries in them. A leaf lock (see the remarks).
    private readonly object _sync = new();

    // Guarded by _sync. The flows holding the guard (several only for the read side of a ReadWriteGuarded<T>).
    private readonly List<LockEntry> _holders = new(1);

    // Guarded by _sync. The flows waiting for the guard, oldest first.
    private readonly List<LockEntry> _waiters = [];

    private LockState(string name)
    {
        Name = name;
        NameTag = new KeyValuePair<string, object?>(LockMetrics.NameTag, name);
    }

    /// <summary>Gets the guard's name.</summary>
    public string Name { get; }

    /// <summary>Gets the guard's name as the metrics tag.</summary>
    public KeyValuePair<string, object?> NameTag { get; }

    /// <summary>Gets the state of <paramref name="guard"/>, making and registering it on first use; safe to race.</summary>
    public static LockState For(ref LockState? field, object guard, string name)
    {
        LockState? state = Volatile.Read(ref field);
        if (state is not null)
        {
            return state;
        }

        state = new LockState(name);
        LockState? won = Interlocked.CompareExchange(ref field, state, null);
        if (won is not null)
        {
            return won;
        }

        Registry.AddOrUpdate(guard, state);
        return state;
    }

    /// <summary>Every registered guard with its state (guards collected since are gone).</summary>
    public static List<KeyValuePair<object, LockState>> All()
    {
        var all = new List<KeyValuePair<object, LockState>>();
        foreach (KeyValuePair<object, LockState> pair in (IEnumerable<KeyValuePair<object, LockState>>)Registry)
        {
            all.Add(pair);
        }

        return all;
    }

    /// <summary>Records that <paramref name="entry"/>'s flow starts to wait at <paramref name="now"/>.</summary>
    public void AddWaiter(LockEntry entry, long now)
    {
        lock (_sync)
        {
            entry.Waited = true;
            entry.WaitStart = now;
            entry.Since = now;
            entry.Listed = true;
            _waiters.Add(entry);
        }
    }

    /// <summary>Records that <paramref name="entry"/>'s flow holds the guard from <paramref name="now"/> (leaving the waiters if it waited).</summary>
    public void AddHolder(LockEntry entry, long now)
    {
        lock (_sync)
        {
            if (entry.Listed)
            {
                _waiters.Remove(entry);
            }

            entry.Holding = true;
            entry.Since = now;
            entry.Listed = true;
            _holders.Add(entry);
        }
    }

    /// <summary>Records that <paramref name="entry"/>'s flow released the guard or stopped waiting; nothing if already removed.</summary>
    public void Remove(LockEntry entry)
    {
        lock (_sync)
        {
            if (entry.Listed)
            {
                (entry.Holding ? _holders : _waiters).Remove(entry);
                entry.Listed = false;
            }
        }
    }

    /// <summary>Copies the holders and waiters as they are now.</summary>
    public (LockEntry Entry, long Since)[] Read(out int holderCount)
    {
        lock (_sync)
        {
            holderCount = _holders.Count;
            var copy = new (LockEntry, long)[_holders.Count + _waiters.Count];
            int i = 0;
            foreach (LockEntry holder in _holders)
            {
                copy[i++] = (holder, holder.Since);
            }

            foreach (LockEntry waiter in _waiters)
            {
                copy[i++] = (waiter, waiter.Since);
            }

            return copy;
        }
    }
}
