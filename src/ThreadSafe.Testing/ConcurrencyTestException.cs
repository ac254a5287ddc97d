namespace ThreadSafe.Testing;

/// <summary>
/// Thrown when a concurrency test fails: a thread threw, a run timed out, or a history had no
/// linearization. The message is the full, readable report (failure table, seed to replay), so the
/// exception works the same in any test framework.
/// </summary>
public class ConcurrencyTestException : Exception
{
    /// <summary>Creates an exception with a default message.</summary>
    public ConcurrencyTestException()
        : base("A concurrency test failed.")
    {
    }

    /// <summary>Creates an exception with the given report.</summary>
    /// <param name="message">The readable report.</param>
    public ConcurrencyTestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with the given report and the exception that caused it.</summary>
    /// <param name="message">The readable report.</param>
    /// <param name="innerException">The exception (often an <see cref="AggregateException"/>) that caused the failure.</param>
    public ConcurrencyTestException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the minimal failing scenario, when the failure came from a scenario check.</summary>
    public Scenario? Scenario { get; init; }

    /// <summary>Gets the seed that generated the failing scenario; pass it as <see cref="LinearizabilityOptions.Seed"/> to replay.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Gets the Coyote reproducible trace of the failing schedule, when systematic mode found the failure.</summary>
    public string? CoyoteTrace { get; init; }

    /// <summary>
    /// Gets the path of the HTML report of the failing history (see <see cref="LinearizabilityOptions.WriteReport"/>), or
    /// <see langword="null"/> when none was written (reports turned off, a run that hung or crashed, or the file could not be written: the message says why).
    /// </summary>
    public string? ReportPath { get; init; }

    /// <summary>Gets how many runs (stress mode) or schedules (systematic mode) were tried until the first failure, before shrinking.</summary>
    public long? Attempts { get; init; }
}
