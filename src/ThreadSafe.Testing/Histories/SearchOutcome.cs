namespace ThreadSafe.Testing.Histories;

/// <summary>What a search ended with.</summary>
internal enum SearchVerdict
{
    Linearizable,
    NotLinearizable,
    Stopped,
}

/// <summary>
/// The end of one search: its verdict, the longest order of calls it placed (the whole order when
/// linearizable) with the model state after each, and the call it could not place after that order.
/// </summary>
/// <typeparam name="TState">The model's state.</typeparam>
internal sealed record SearchOutcome<TState>(SearchVerdict Verdict, int[] Order, TState[] StatesAfter, int Stuck, int CacheEntries);
