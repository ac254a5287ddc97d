namespace ThreadSafe.Testing.Histories;

/// <summary>
/// One recorded call of a history: who made it, what it asked, what it got back, and when it was
/// called and returned (on one clock shared by every client).
/// </summary>
/// <remarks>
/// A call <c>a</c> must come before a call <c>b</c> in every linearization exactly when
/// <c>a.Return &lt; b.Call</c>; calls with overlapping (or touching) intervals may come in either order.
/// </remarks>
/// <typeparam name="TInput">What a call asks (e.g. a record naming the operation and its arguments).</typeparam>
/// <typeparam name="TOutput">What a call returns.</typeparam>
public sealed class Operation<TInput, TOutput>
{
    /// <summary>Gets the client (thread, connection, process) that made the call; used for the report's lanes.</summary>
    public required int ClientId { get; init; }

    /// <summary>Gets what the call asked.</summary>
    public required TInput Input { get; init; }

    /// <summary>Gets the time the call was invoked.</summary>
    public required long Call { get; init; }

    /// <summary>Gets what the call returned; for a call that never returned, whatever the harness recorded (the model's step must accept it).</summary>
    public required TOutput Output { get; init; }

    /// <summary>
    /// Gets the time the call returned, or <see langword="null"/> if it never did (a timeout, a crash, Jepsen's
    /// <c>:info</c>): such a call may have taken effect at any time after its invocation, or never.
    /// </summary>
    public required long? Return { get; init; }

    /// <summary>Formats the call for messages.</summary>
    /// <returns>The client, input, output and times.</returns>
    public override string ToString() =>
        Return is long r
            ? FormattableString.Invariant($"client {ClientId}: {Input} -> {Output} [{Call}, {r}]")
            : FormattableString.Invariant($"client {ClientId}: {Input} -> (never returned) [{Call}, ...)");
}
