namespace ThreadSafe.Testing.Histories;

/// <summary>One call as a report shows it: its index in the checked history, lane, interval and description.</summary>
internal sealed record ReportCall(int Index, int ClientId, long Call, long? Return, string Description);

/// <summary>
/// One part of a checked history for a report: its calls, its verdict (<see langword="null"/> if it was not
/// checked because another part failed first), the longest order found with the state after each call,
/// and the call that could not be placed after that order (an index into <see cref="Calls"/>, or -1).
/// </summary>
internal sealed record ReportPart(int Number, SearchVerdict? Verdict, ReportCall[] Calls, int[] Order, string[] StatesAfter, int Stuck, string InitialState);

/// <summary>Everything a report shows, with model values already described as text.</summary>
internal sealed record HistoryReport(LinearizabilityVerdict Verdict, IReadOnlyList<ReportPart> Parts, int TotalCalls, bool TimedOut)
{
    /// <summary>Gets the name of a client's lane; <see langword="null"/>: <c>client 3</c>.</summary>
    public Func<int, string>? LaneName { get; init; }

    /// <summary>Gets preformatted text shown under the summary (e.g. the failure table of a scenario check); <see langword="null"/>: none.</summary>
    public string? Notes { get; init; }

    /// <summary>Names the lane of a client.</summary>
    public string Lane(int clientId) => LaneName?.Invoke(clientId) ?? FormattableString.Invariant($"client {clientId}");

    /// <summary>Describes the verdict in a few lines: which part failed, how far the longest order got, which call is stuck.</summary>
    public string Summary()
    {
        string parts = Parts.Count == 1 ? string.Empty : FormattableString.Invariant($" in {Parts.Count} parts");
        switch (Verdict)
        {
            case LinearizabilityVerdict.Linearizable:
                return FormattableString.Invariant($"Linearizable: {TotalCalls} calls{parts}.");
            case LinearizabilityVerdict.Unknown:
                int undecided = Parts.Count(p => p.Verdict is not (SearchVerdict.Linearizable or SearchVerdict.NotLinearizable));
                string why = TimedOut ? "the time budget ran out" : "the check was cancelled";
                return FormattableString.Invariant($"Unknown: {why} before a verdict ({undecided} of {Parts.Count} parts undecided, {TotalCalls} calls).");
            default:
                ReportPart failed = Parts.First(p => p.Verdict == SearchVerdict.NotLinearizable);
                string which = Parts.Count == 1 ? string.Empty : FormattableString.Invariant($" (part {failed.Number} of {Parts.Count}, {failed.Calls.Length} calls)");
                string stuck = failed.Stuck >= 0
                    ? FormattableString.Invariant($"; then no call can come next that returned before call #{failed.Calls[failed.Stuck].Index} ({Lane(failed.Calls[failed.Stuck].ClientId)}: {failed.Calls[failed.Stuck].Description})")
                    : string.Empty;
                string state = failed.Order.Length > 0 ? failed.StatesAfter[^1] : failed.InitialState;
                return FormattableString.Invariant(
                    $"Not linearizable{which}: the longest linearizable prefix has {failed.Order.Length} of {failed.Calls.Length} calls, ending in state {state}{stuck}.");
        }
    }
}
