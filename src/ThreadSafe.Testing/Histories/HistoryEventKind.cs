namespace ThreadSafe.Testing.Histories;

/// <summary>Whether a <see cref="HistoryEvent{TInput, TOutput}"/> is a call or a return.</summary>
public enum HistoryEventKind
{
    /// <summary>A call was invoked.</summary>
    Call,

    /// <summary>A call returned.</summary>
    Return,
}
