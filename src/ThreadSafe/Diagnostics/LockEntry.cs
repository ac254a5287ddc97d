namespace ThreadSafe.Diagnostics;

/// <summary>
/// One flow's acquisition of one guard, while diagnostics track it: first as a waiter (if it had to wait), then as a
/// holder, until it releases or gives up. The flow's identity is taken where the acquisition started.
/// </summary>
/// <remarks>
/// The identity fields are immutable. <see cref="Since"/>, <see cref="WaitStart"/> and <see cref="Holding"/> are
/// written and read only under the owning <see cref="LockState"/>'s lock, except by the acquiring flow itself, which
/// reads back what it wrote.
/// </remarks>
internal sealed class LockEntry(LockAccess access, bool metrics, bool isAsync)
{
    /// <summary>Gets the managed id of the thread that started the acquisition.</summary>
    public int ThreadId { get; } = Environment.CurrentManagedThreadId;

    /// <summary>Gets the name of that thread, if it has one.</summary>
    public string? ThreadName { get; } = Thread.CurrentThread.Name;

    /// <summary>Gets the id of the task that started the acquisition, if it ran in one.</summary>
    public int? TaskId { get; } = Task.CurrentId;

    /// <summary>Gets how the flow takes the guard.</summary>
    public LockAccess Access { get; } = access;

    /// <summary>Gets a value indicating whether this acquisition records metrics.</summary>
    public bool Metrics { get; } = metrics;

    /// <summary>Gets a value indicating whether the guard is held by an async flow (across awaits, possibly on other threads).</summary>
    public bool IsAsync { get; } = isAsync;

    /// <summary>Gets or sets the clock timestamp at which the current phase (waiting or holding) began.</summary>
    public long Since { get; set; }

    /// <summary>Gets or sets the clock timestamp at which the flow began to wait, if it waited.</summary>
    public long WaitStart { get; set; }

    /// <summary>Gets or sets a value indicating whether the flow waited before it got the guard.</summary>
    public bool Waited { get; set; }

    /// <summary>Gets or sets a value indicating whether the flow holds the guard (otherwise it waits).</summary>
    public bool Holding { get; set; }

    /// <summary>Gets or sets a value indicating whether the entry is in its state's lists.</summary>
    public bool Listed { get; set; }
}
