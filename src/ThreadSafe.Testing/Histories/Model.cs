namespace ThreadSafe.Testing.Histories;

/// <summary>
/// A sequential specification that histories are checked against: an initial state and a step function
/// that says whether a call, with the output it returned, is allowed in a state and what state follows.
/// </summary>
/// <remarks>
/// <para>
/// Every function must be pure and thread-safe: parts of a partitioned history are checked in parallel,
/// and a state is kept and reused after it was passed to <see cref="Step"/> (so the step must not mutate it).
/// A function that throws ends the check with an <see cref="InvalidOperationException"/> that names the call
/// (a broken model is not a verdict). The time budget is checked between steps, so a step that never returns
/// blocks the check. Functions return values, so an <see langword="async"/> lambda cannot be passed.
/// </para>
/// </remarks>
/// <typeparam name="TState">The model's state: a value, or an object never mutated after it is returned.</typeparam>
/// <typeparam name="TInput">What a call asks.</typeparam>
/// <typeparam name="TOutput">What a call returns.</typeparam>
public sealed class Model<TState, TInput, TOutput>
{
    /// <summary>Gets the function that creates the initial state; called once per part of the history.</summary>
    public required Func<TState> Init { get; init; }

    /// <summary>
    /// Gets the step function: for a state, a call's input and its recorded output, whether the call may
    /// return that output in that state (<c>Ok</c>) and the state after it (<c>Next</c>). For a call that never
    /// returned, its output is what the harness recorded: accept it whatever it is (e.g. an output type whose
    /// "unknown" value every step accepts).
    /// </summary>
    public required Func<TState, TInput, TOutput, (bool Ok, TState Next)> Step { get; init; }

    /// <summary>
    /// Gets an optional partition of a history into independent parts (P-compositionality, e.g. one part per
    /// key of a key-value store): the history is linearizable exactly when every part is, and parts are
    /// checked in parallel. Every part is checked from <see cref="Init"/>. <see langword="null"/>: one part.
    /// </summary>
    public Func<IReadOnlyList<Operation<TInput, TOutput>>, IEnumerable<IReadOnlyList<Operation<TInput, TOutput>>>>? Partition { get; init; }

    /// <summary>
    /// Gets an optional equality of states (the search skips a state it has already explored with the same
    /// calls placed). <see langword="null"/>: <see cref="EqualityComparer{T}.Default"/>, hash codes included.
    /// An equality that is too strict (e.g. reference equality of equal lists) stays correct, it only explores more.
    /// </summary>
    public Func<TState, TState, bool>? Equal { get; init; }

    /// <summary>
    /// Gets an optional hash of states consistent with <see cref="Equal"/>; used only when <see cref="Equal"/> is set
    /// (without it, only the set of placed calls is hashed, which is correct but slower when many states meet).
    /// </summary>
    public Func<TState, int>? Hash { get; init; }

    /// <summary>Gets an optional description of a call for reports, from its input and output; <see langword="null"/>: <c>input -&gt; output</c> (<c>?</c> for the output of a call that never returned).</summary>
    public Func<TInput, TOutput, string>? DescribeOperation { get; init; }

    /// <summary>Gets an optional description of a state for reports; <see langword="null"/>: its <see cref="object.ToString"/>.</summary>
    public Func<TState, string>? DescribeState { get; init; }
}
