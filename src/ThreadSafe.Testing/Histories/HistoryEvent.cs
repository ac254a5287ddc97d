namespace ThreadSafe.Testing.Histories;

/// <summary>
/// One event of a history recorded without clocks: a call or a return, in the order the harness saw them.
/// A call and its return share an <see cref="Id"/>; a call without a return never returned.
/// </summary>
/// <typeparam name="TInput">What a call asks.</typeparam>
/// <typeparam name="TOutput">What a call returns.</typeparam>
public sealed class HistoryEvent<TInput, TOutput>
{
    /// <summary>Gets whether this is a call or a return.</summary>
    public required HistoryEventKind Kind { get; init; }

    /// <summary>Gets the client that made the call.</summary>
    public required int ClientId { get; init; }

    /// <summary>Gets the identifier that pairs a call with its return; unique per call in the history.</summary>
    public required int Id { get; init; }

    /// <summary>Gets what the call asked (meaningful on a <see cref="HistoryEventKind.Call"/> event).</summary>
    public TInput Input { get; init; } = default!;

    /// <summary>Gets what the call returned (meaningful on a <see cref="HistoryEventKind.Return"/> event).</summary>
    public TOutput Output { get; init; } = default!;

    /// <summary>Formats the event for messages.</summary>
    /// <returns>The kind, id, client and value.</returns>
    public override string ToString() =>
        Kind == HistoryEventKind.Call
            ? FormattableString.Invariant($"call #{Id} (client {ClientId}): {Input}")
            : FormattableString.Invariant($"return #{Id} (client {ClientId}): {Output}");
}
