using System.Diagnostics;

namespace ThreadSafe.Testing.Histories;

/// <summary>
/// Records a history of calls made from many threads, stamping each call and return with one monotonic
/// clock (<see cref="Stopwatch.GetTimestamp"/>), so the history can be given to
/// <see cref="Linearizability.Check{TState, TInput, TOutput}(Model{TState, TInput, TOutput}, IReadOnlyList{Operation{TInput, TOutput}}, TimeSpan)"/>.
/// Thread-safe.
/// </summary>
/// <remarks>
/// A call is in the history from the moment it is invoked: until it returns it counts as a call that never
/// returned. A call that throws stays so (its effect is unknown: it may or may not have happened) and the
/// exception propagates; to record a failure whose outcome is known, catch it in the delegate and return an
/// output that says so. A delegate may call the recorder again (the recorder holds no lock while it runs).
/// </remarks>
/// <example>
/// <code>
/// var recorder = new HistoryRecorder&lt;(string Op, int Value), int&gt;();
/// // on each of many threads, client = the thread's number:
/// int read = recorder.Record(client, ("read", 0), _ =&gt; register.Read());
/// LinearizabilityResult result = Linearizability.Check(model, recorder.ToHistory(), TimeSpan.FromSeconds(10));
/// </code>
/// </example>
/// <typeparam name="TInput">What a call asks.</typeparam>
/// <typeparam name="TOutput">What a call returns.</typeparam>
public sealed class HistoryRecorder<TInput, TOutput>
{
    // Guards _operations: the calls recorded so far, in invocation order (slots are replaced when a call returns).
    private readonly object _gate = new();
    private readonly List<Operation<TInput, TOutput>> _operations = [];

    /// <summary>Gets the number of calls recorded so far (returned or not).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _operations.Count;
            }
        }
    }

    /// <summary>Runs <paramref name="call"/> and records it: its input, its output and when it was called and returned.</summary>
    /// <param name="clientId">The client making the call (e.g. the thread's number): the report's lane.</param>
    /// <param name="input">What the call asks; passed to <paramref name="call"/>.</param>
    /// <param name="call">The call to run and record.</param>
    /// <returns>What <paramref name="call"/> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="TOutput"/> is a task: record asynchronous calls with <see cref="RecordAsync"/>.</exception>
    public TOutput Record(int clientId, TInput input, Func<TInput, TOutput> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (typeof(Task).IsAssignableFrom(typeof(TOutput)) || typeof(TOutput).Name.StartsWith("ValueTask", StringComparison.Ordinal))
        {
            throw new ArgumentException("The output is a task, so the call would be recorded as returning when it started: use RecordAsync.", nameof(call));
        }

        int slot = Begin(clientId, input);
        TOutput output = call(input);
        End(slot, output);
        return output;
    }

    /// <summary>Runs an asynchronous <paramref name="call"/> and records it; it returns when its task completes.</summary>
    /// <param name="clientId">The client making the call: the report's lane.</param>
    /// <param name="input">What the call asks; passed to <paramref name="call"/>.</param>
    /// <param name="call">The call to run and record.</param>
    /// <returns>What the task of <paramref name="call"/> returned.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="call"/> is <see langword="null"/>.</exception>
    public async Task<TOutput> RecordAsync(int clientId, TInput input, Func<TInput, Task<TOutput>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        int slot = Begin(clientId, input);
        TOutput output = await call(input).ConfigureAwait(false);
        End(slot, output);
        return output;
    }

    /// <summary>Gets a copy of the history recorded so far; calls still running count as never returned.</summary>
    /// <returns>The calls in invocation order.</returns>
    public IReadOnlyList<Operation<TInput, TOutput>> ToHistory()
    {
        lock (_gate)
        {
            return [.. _operations];
        }
    }

    private int Begin(int clientId, TInput input)
    {
        lock (_gate)
        {
            // The time is taken under the lock so slots are in invocation order; the call starts after it.
            _operations.Add(new Operation<TInput, TOutput> { ClientId = clientId, Input = input, Call = Stopwatch.GetTimestamp(), Output = default!, Return = null });
            return _operations.Count - 1;
        }
    }

    private void End(int slot, TOutput output)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            Operation<TInput, TOutput> started = _operations[slot];
            _operations[slot] = new Operation<TInput, TOutput>
            {
                ClientId = started.ClientId,
                Input = started.Input,
                Call = started.Call,
                Output = output,
                Return = now,
            };
        }
    }
}
