using ThreadSafe.Testing.Histories;

namespace ThreadSafe.Testing;

/// <content>The HTML report of a failing history: the page of <see cref="LinearizabilityResult.WriteHtml"/>, one lane per thread.</content>
public sealed partial class LinearizabilitySpec<TSut, TModel>
{
    // The lane of the sequential prefix and suffix (before the parallel threads 0, 1, ...).
    private const int SequentialLane = -1;

    // Drawing re-runs the search on a history it has just decided, so the budget is only a guard.
    private static readonly TimeSpan DrawingBudget = TimeSpan.FromSeconds(30);

    /// <summary>Draws a failing run's history as an HTML page and writes it; returns the file's path, or null and why not.</summary>
    private string? TryWriteReport(Recorded run, string notes, string fileName, LinearizabilityOptions options, out string? problem)
    {
        string html;
        try
        {
            HistoryReport report = Explain(run) with
            {
                LaneName = lane => lane == SequentialLane ? "sequential" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Thread {lane}"),
                Notes = notes,
            };
            html = HtmlReport.Render(report);
        }
        catch (InvalidOperationException ex)
        {
            problem = "drawing it failed: " + ex.Message;
            return null;
        }

        return ReportFile.TryWrite(html, options.ReportDirectory, fileName, out problem);
    }

    // Checks the run again through the public history checker, which keeps what a report shows: the longest
    // order the model accepts, the state after each call, the call it got stuck on.
    private HistoryReport Explain(Recorded run)
    {
        var checker = new LinearizabilityChecker<TSut, TModel>(_operations, _modelEquality);
        var operations = new List<Operation<HistoryEntry, object?>>();
        Add(run.Prefix, SequentialLane);
        for (int t = 0; t < run.Threads.Length; t++)
        {
            Add(run.Threads[t], t);
        }

        Add(run.Suffix, SequentialLane);
        var model = new Model<TModel, HistoryEntry, object?>
        {
            Init = _createModel,
            Step = (state, entry, _) => checker.Step(state, entry, checkResult: true),
            Equal = (a, b) => _modelEquality.Equals(a, b),
            Hash = state => state is null ? 0 : _modelEquality.GetHashCode(state),
            DescribeOperation = (entry, _) =>
            {
                OperationDefinition<TSut, TModel> op = _operations[entry.Operation];
                return FailureTable.Cell(op.Name, op.HasArgument, op.IsCommand, entry);
            },
        };
        return Linearizability.Check(model, operations, DrawingBudget).Report();

        void Add(HistoryEntry[] entries, int lane)
        {
            foreach (HistoryEntry entry in entries)
            {
                operations.Add(new Operation<HistoryEntry, object?>
                {
                    ClientId = lane,
                    Input = entry,
                    Call = entry.Invoked,
                    Output = entry.Result,
                    Return = entry.Responded,
                });
            }
        }
    }
}
