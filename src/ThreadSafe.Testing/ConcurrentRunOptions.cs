namespace ThreadSafe.Testing;

/// <summary>Options of <see cref="Concurrently"/>: how many threads, how many repetitions, how long to wait.</summary>
public sealed record ConcurrentRunOptions
{
    /// <summary>Gets the number of threads (or tasks) that run the body together. Default 4; at least 1.</summary>
    public int Threads { get; init; } = 4;

    /// <summary>Gets how many times the whole run is repeated, each with a fresh start barrier. Default 1; at least 1.</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>
    /// Gets how long one repetition may take before the run fails, naming the threads still running.
    /// Default 30 seconds; must be positive and finite.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets a prefix for the thread names (shown in the debugger and in failure reports). Default "ConcurrentRun".</summary>
    public string ThreadName { get; init; } = "ConcurrentRun";

    /// <summary>Gets the default options.</summary>
    public static ConcurrentRunOptions Default { get; } = new();

    internal void Validate(string paramName)
    {
        if (Threads < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, Threads, "Threads must be at least 1.");
        }

        if (Repeat < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, Repeat, "Repeat must be at least 1.");
        }

        if (Timeout <= TimeSpan.Zero || Timeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, Timeout, "Timeout must be positive and at most int.MaxValue milliseconds.");
        }

        ArgumentNullException.ThrowIfNull(ThreadName, paramName);
    }
}
