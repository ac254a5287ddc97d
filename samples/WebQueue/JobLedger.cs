using System.Collections.Concurrent;

namespace WebQueue;

/// <summary>Where the app records what became of each accepted job: processed, or persisted by the sink for later.</summary>
public sealed class JobLedger(string unprocessedFile)
{
    /// <summary>Gets the ids of the jobs processed.</summary>
    public ConcurrentQueue<int> Processed { get; } = new();

    /// <summary>Gets the file the sink appends unprocessed job ids to, one per line.</summary>
    public string UnprocessedFile { get; } = unprocessedFile;

    /// <summary>Appends the ids of jobs that were accepted but not processed before shutdown (the sink).</summary>
    public async ValueTask PersistUnprocessedAsync(IReadOnlyList<Job> jobs, CancellationToken cancellationToken) =>
        await File.AppendAllLinesAsync(UnprocessedFile, jobs.Select(job => job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken);

    /// <summary>Reads the ids the sink persisted.</summary>
    public IReadOnlyList<int> ReadUnprocessed() =>
        File.Exists(UnprocessedFile) ? [.. File.ReadAllLines(UnprocessedFile).Select(line => int.Parse(line, System.Globalization.CultureInfo.InvariantCulture))] : [];
}
