using System.Text;

namespace ThreadSafe.Testing.Histories;

/// <summary>The outcome of <see cref="Linearizability.Check{TState, TInput, TOutput}(Model{TState, TInput, TOutput}, IReadOnlyList{Operation{TInput, TOutput}}, TimeSpan)"/>: a verdict and a report.</summary>
public sealed class LinearizabilityResult
{
    private readonly Func<HistoryReport> _report;

    internal LinearizabilityResult(LinearizabilityVerdict verdict, Func<HistoryReport> report)
    {
        Verdict = verdict;
        _report = report;
    }

    /// <summary>Gets the verdict.</summary>
    public LinearizabilityVerdict Verdict { get; }

    /// <summary>
    /// Writes a self-contained HTML report (no network needed to open it): one lane per client, each call a bar
    /// from its call to its return, the longest linearizable order the search found numbered on the bars,
    /// the call it got stuck on, and the model's state after each placed call on hover.
    /// </summary>
    /// <param name="path">The file to write (created or overwritten).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or only white space.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    public void WriteHtml(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        File.WriteAllText(path, HtmlReport.Render(_report()), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    /// <summary>Describes the verdict: for a failure, the part that failed, how long its longest linearizable prefix is and the call it got stuck on.</summary>
    /// <returns>One line of text.</returns>
    public override string ToString() => _report().Summary();

    internal HistoryReport Report() => _report();
}
