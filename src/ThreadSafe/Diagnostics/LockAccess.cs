namespace ThreadSafe.Diagnostics;

/// <summary>How a flow holds or waits for a guard.</summary>
public enum LockAccess
{
    /// <summary>The only access of <see cref="Guarded{T}"/> and <see cref="AsyncGuarded{T}"/>: one flow at a time.</summary>
    Exclusive = 0,

    /// <summary>The read side of <see cref="ReadWriteGuarded{T}"/>: shared with other readers.</summary>
    Read = 1,

    /// <summary>The write side of <see cref="ReadWriteGuarded{T}"/>: alone.</summary>
    Write = 2,
}
