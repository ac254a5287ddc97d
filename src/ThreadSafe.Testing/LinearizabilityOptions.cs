namespace ThreadSafe.Testing;

/// <summary>
/// Options of a linearizability check: the seed, how many scenarios, how large, how many runs or
/// schedules each, and the timeouts. Every default is fixed so a check's time and verdict repeat.
/// </summary>
public sealed record LinearizabilityOptions
{
    /// <summary>The seed used when none is given: a failure reproduces on every machine.</summary>
    public const ulong DefaultSeed = 20261124;

    /// <summary>Gets the seed of scenario generation (and of Coyote's scheduler in systematic mode). Reported on failure for replay.</summary>
    public ulong Seed { get; init; } = DefaultSeed;

    /// <summary>Gets how many scenarios are generated. Default 50.</summary>
    public int Scenarios { get; init; } = 50;

    /// <summary>Gets how many times each scenario runs on real threads in stress mode. Default 20.</summary>
    public int RunsPerScenario { get; init; } = 20;

    /// <summary>Gets how many schedules Coyote explores for each scenario in systematic mode. Default 100.</summary>
    public int IterationsPerScenario { get; init; } = 100;

    /// <summary>Gets the fewest parallel threads of a generated scenario. Default 2; 1 to 8.</summary>
    public int MinThreads { get; init; } = 2;

    /// <summary>Gets the most parallel threads of a generated scenario. Default 3; at least <see cref="MinThreads"/>, at most 8.</summary>
    public int MaxThreads { get; init; } = 3;

    /// <summary>Gets the most calls per parallel thread of a generated scenario (at least 1). Default 4; 1 to 16.</summary>
    public int MaxOperationsPerThread { get; init; } = 4;

    /// <summary>Gets the most calls of the sequential prefix of a generated scenario. Default 2; 0 to 8.</summary>
    public int MaxPrefix { get; init; } = 2;

    /// <summary>Gets the most calls of the sequential suffix of a generated scenario. Default 2; 0 to 8.</summary>
    public int MaxSuffix { get; init; } = 2;

    /// <summary>Gets how many candidate scenarios shrinking may try after a failure. Default 200; 0 disables shrinking.</summary>
    public int MaxShrinkAttempts { get; init; } = 200;

    /// <summary>
    /// Gets how many times stress-mode shrinking runs each smaller candidate scenario (each time <see cref="RunsPerScenario"/>
    /// runs, with other timing jitter) before judging that it passes: on real threads a race that failed the larger scenario
    /// often needs several tries to show in a smaller one. Systematic mode explores each candidate once. Default 3; 1 to 20.
    /// </summary>
    public int ShrinkTries { get; init; } = 3;

    /// <summary>Gets how long each part of one stress run of a scenario (the sequential prefix, the parallel part, the sequential suffix) may take before the run fails as a hang. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets a value indicating whether stress mode spins a short random time before each call, which
    /// makes more interleavings show up on real threads. Default <see langword="true"/>.
    /// </summary>
    public bool Jitter { get; init; } = true;

    /// <summary>
    /// Gets the names of assemblies (e.g. <c>"Some.Library"</c>) that systematic mode may run without Coyote
    /// rewriting. Coyote controls none of their locks and tasks, so races inside them are not explored: name only
    /// assemblies that run no concurrent code under test. Default: none, and systematic mode refuses to run when
    /// an assembly the specification's code can reach is not rewritten.
    /// </summary>
    public IReadOnlyCollection<string> UncontrolledAssemblies { get; init; } = [];

    /// <summary>
    /// Gets a Coyote reproducible trace to replay (<see cref="ConcurrencyTestException.CoyoteTrace"/> of a systematic-mode
    /// failure, printed in its message), or <see langword="null"/> to explore. With a trace,
    /// <see cref="LinearizabilitySpec{TSut, TModel}.CheckScenarioSystematic"/> runs the failure's scenario
    /// (<see cref="ConcurrencyTestException.Scenario"/>) once on the recorded schedule, without shrinking, and reports the same
    /// failure; <see cref="LinearizabilitySpec{TSut, TModel}.CheckSystematic"/> refuses it (a trace belongs to one scenario).
    /// </summary>
    public string? ReproducibleTrace { get; init; }

    /// <summary>
    /// Gets a value indicating whether a failing check writes an HTML report of the failing history (after shrinking):
    /// one lane per thread, each call a bar from its invocation to its response, the longest order the model accepts
    /// and the call it got stuck on, the model state on hover. The failure message names the file
    /// (<see cref="ConcurrencyTestException.ReportPath"/>). A run that hung or crashed has no history to draw. Default <see langword="true"/>.
    /// </summary>
    public bool WriteReport { get; init; } = true;

    /// <summary>
    /// Gets the directory for the HTML reports of failures (created if missing), or <see langword="null"/> for the default:
    /// <c>linearizability-reports</c> in the application's base directory (a test project's output folder), or in the
    /// temporary directory when that one cannot be written. Each failing check writes a new file named after the type under test,
    /// the mode and the time.
    /// </summary>
    public string? ReportDirectory { get; init; }

    /// <summary>Gets a sink for progress lines (e.g. xunit's <c>ITestOutputHelper.WriteLine</c>); <see langword="null"/> for none.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Gets the default options.</summary>
    public static LinearizabilityOptions Default { get; } = new();

    internal void Validate(string paramName)
    {
        Check(Scenarios >= 1, Scenarios, "Scenarios must be at least 1.");
        Check(RunsPerScenario >= 1, RunsPerScenario, "RunsPerScenario must be at least 1.");
        Check(IterationsPerScenario >= 1, IterationsPerScenario, "IterationsPerScenario must be at least 1.");
        Check(MinThreads is >= 1 and <= 8, MinThreads, "MinThreads must be 1 to 8.");
        Check(MaxThreads >= MinThreads && MaxThreads <= 8, MaxThreads, "MaxThreads must be MinThreads to 8.");
        Check(MaxOperationsPerThread is >= 1 and <= 16, MaxOperationsPerThread, "MaxOperationsPerThread must be 1 to 16.");
        Check(MaxPrefix is >= 0 and <= 8, MaxPrefix, "MaxPrefix must be 0 to 8.");
        Check(MaxSuffix is >= 0 and <= 8, MaxSuffix, "MaxSuffix must be 0 to 8.");
        Check(MaxShrinkAttempts >= 0, MaxShrinkAttempts, "MaxShrinkAttempts must not be negative.");
        Check(ShrinkTries is >= 1 and <= 20, ShrinkTries, "ShrinkTries must be 1 to 20.");
        if (UncontrolledAssemblies is null)
        {
            throw new ArgumentNullException(paramName, "UncontrolledAssemblies must not be null.");
        }

        Check(ReproducibleTrace is null || !string.IsNullOrWhiteSpace(ReproducibleTrace), ReproducibleTrace ?? string.Empty, "ReproducibleTrace must be null or a trace.");
        Check(ReportDirectory is null || !string.IsNullOrWhiteSpace(ReportDirectory), ReportDirectory ?? string.Empty, "ReportDirectory must be null or a directory.");
        Check(Timeout > TimeSpan.Zero && Timeout.TotalMilliseconds <= int.MaxValue, Timeout, "Timeout must be positive and finite.");

        void Check(bool ok, object value, string message)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(paramName, value, message);
            }
        }
    }
}
