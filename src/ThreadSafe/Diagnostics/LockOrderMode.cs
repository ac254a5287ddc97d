namespace ThreadSafe.Diagnostics;

/// <summary>What <see cref="LockOrder"/> does when an acquisition inverts a lock order seen before.</summary>
public enum LockOrderMode
{
    /// <summary>No checking: the guards record nothing and pay one flag test per acquisition.</summary>
    Off = 0,

    /// <summary>The inversion is reported once per pair of locks through <see cref="LockOrder.Reported"/>, and the acquisition proceeds.</summary>
    Report = 1,

    /// <summary>The acquisition throws <see cref="LockOrderException"/> before it takes the lock, so the deadlock cannot happen.</summary>
    Throw = 2,
}
