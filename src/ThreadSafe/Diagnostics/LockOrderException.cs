namespace ThreadSafe.Diagnostics;

/// <summary>
/// Thrown, when <see cref="LockOrder"/> is in <see cref="LockOrderMode.Throw"/> mode, by an acquisition that would take
/// locks in the inverse of an order recorded before: a potential deadlock. The lock was not taken.
/// </summary>
public sealed class LockOrderException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="LockOrderException"/> class with a default message.</summary>
    public LockOrderException()
        : base("A lock was acquired in the inverse of an order recorded before.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LockOrderException"/> class with a message.</summary>
    /// <param name="message">The message.</param>
    public LockOrderException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LockOrderException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public LockOrderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal LockOrderException(LockOrderReport report)
        : base(report.ToString())
    {
        Report = report;
    }

    /// <summary>Gets the report: both locks, the recorded order with its call stack, and the inverse acquisition.</summary>
    public LockOrderReport? Report { get; }
}
