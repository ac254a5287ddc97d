using System.Text;

namespace ThreadSafe.Diagnostics;

/// <summary>
/// What is known of one guard at one moment: whether it is held, by which flows, since when, and who waits for it.
/// Returned by the guards' <c>GetLockInfo()</c>, <see cref="LockDiagnostics.Snapshot(TimeSpan)"/> and the
/// <see cref="LockWatchdog"/>.
/// </summary>
/// <remarks>
/// <see cref="IsHeld"/> comes from the lock itself and is always exact. <see cref="Holders"/> and <see cref="Waiters"/>
/// are known only for acquisitions that started while the guard was tracked (<see cref="IsTracked"/>: diagnostics on,
/// or the guard's own <c>RecordsMetrics</c>); a guard taken before tracking was turned on shows as held with no holder.
/// </remarks>
public sealed class LockInfo
{
    internal LockInfo(string name, string guardType, bool isHeld, bool isTracked, IReadOnlyList<LockFlow> holders, IReadOnlyList<LockFlow> waiters, int waiterCount)
    {
        Name = name;
        GuardType = guardType;
        IsHeld = isHeld;
        IsTracked = isTracked;
        Holders = holders;
        Waiters = waiters;
        WaiterCount = waiterCount;
    }

    /// <summary>Gets the guard's name.</summary>
    public string Name { get; }

    /// <summary>Gets the guard's C# type, as in <c>Guarded&lt;List&lt;int&gt;&gt;</c>.</summary>
    public string GuardType { get; }

    /// <summary>Gets a value indicating whether the guard was held, by the lock's own state (exact whether tracked or not).</summary>
    public bool IsHeld { get; }

    /// <summary>Gets a value indicating whether the guard's holders and waiters are tracked (see the remarks).</summary>
    public bool IsTracked { get; }

    /// <summary>Gets the flows holding the guard, longest first; empty when not tracked.</summary>
    public IReadOnlyList<LockFlow> Holders { get; }

    /// <summary>Gets the flows waiting for the guard, longest first; empty when not tracked.</summary>
    public IReadOnlyList<LockFlow> Waiters { get; }

    /// <summary>
    /// Gets how many flows were waiting: the tracked waiters; for an untracked guard what the lock itself counts
    /// (every queued caller of an <see cref="AsyncGuarded{T}"/>, the threads of a <see cref="ReadWriteGuarded{T}"/>
    /// waiting for a writer to leave, none for a <see cref="Guarded{T}"/>, whose monitor does not tell).
    /// </summary>
    public int WaiterCount { get; }

    /// <summary>Gets the longest time any holder had held the guard, or zero.</summary>
    public TimeSpan LongestHold => Holders.Count == 0 ? TimeSpan.Zero : Holders[0].Duration;

    /// <summary>Gets the longest time any waiter had waited, or zero.</summary>
    public TimeSpan LongestWait => Waiters.Count == 0 ? TimeSpan.Zero : Waiters[0].Duration;

    /// <summary>The short form the debugger shows: <c>held by thread 7 'orders' for 1.250 s, 2 waiting</c>, or <c>free</c>.</summary>
    /// <returns>The short description.</returns>
    public string Summary()
    {
        string held = !IsHeld
            ? "free"
            : Holders.Count switch
            {
                0 => "held",
                1 => $"held by {Holders[0]}",
                _ => $"held by {Holders.Count} readers, longest {Holders[0]}",
            };
        return WaiterCount == 0 ? held : $"{held}, {WaiterCount} waiting";
    }

    /// <summary>Describes the guard, one line per holder and waiter.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Name).Append(" (").Append(GuardType).Append("): ").Append(IsHeld ? "held" : "free");
        if (!IsTracked)
        {
            text.Append(" (holders not tracked)");
        }
        else if (IsHeld && Holders.Count == 0)
        {
            text.Append(" (taken before tracking began)");
        }

        foreach (LockFlow holder in Holders)
        {
            text.AppendLine().Append("  held by ").Append(holder);
        }

        foreach (LockFlow waiter in Waiters)
        {
            text.AppendLine().Append("  waited on by ").Append(waiter);
        }

        if (Waiters.Count == 0 && WaiterCount > 0)
        {
            text.AppendLine().Append("  ").Append(WaiterCount).Append(" waiting");
        }

        return text.ToString();
    }

    /// <summary>Builds the information of a guard from its lock's own view and, if tracked, its state.</summary>
    internal static LockInfo Create(object guard, string name, bool isHeld, int untrackedWaiters, LockState? state)
    {
        string type = TypeNames.Format(guard.GetType());
        if (state is null)
        {
            return new LockInfo(name, type, isHeld, isTracked: false, [], [], untrackedWaiters);
        }

        TimeProvider clock = LockDiagnostics.Clock;
        long now = clock.GetTimestamp();
        DateTimeOffset wallNow = clock.GetUtcNow();
        (LockEntry Entry, long Since)[] entries = state.Read(out int holderCount);
        var holders = new List<LockFlow>(holderCount);
        var waiters = new List<LockFlow>(entries.Length - holderCount);
        for (int i = 0; i < entries.Length; i++)
        {
            TimeSpan duration = clock.GetElapsedTime(entries[i].Since, now);
            if (duration < TimeSpan.Zero)
            {
                duration = TimeSpan.Zero;
            }

            var flow = new LockFlow(entries[i].Entry, i < holderCount, duration, wallNow - duration);
            (i < holderCount ? holders : waiters).Add(flow);
        }

        holders.Sort(static (a, b) => b.Duration.CompareTo(a.Duration));
        waiters.Sort(static (a, b) => b.Duration.CompareTo(a.Duration));
        return new LockInfo(name, type, isHeld, isTracked: true, holders, waiters, waiters.Count);
    }
}
