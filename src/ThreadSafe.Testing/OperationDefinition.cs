using FsCheck;

namespace ThreadSafe.Testing;

/// <summary>One registered operation, with its types erased so histories of mixed operations fit one array.</summary>
internal sealed class OperationDefinition<TSut, TModel>(
    string name,
    bool hasArgument,
    bool isCommand,
    Gen<object?> arguments,
    Func<TSut, object?, object?> run,
    Func<TModel, object?, (object? Result, TModel Next)> model,
    Func<object?, object?, bool> resultsEqual)
{
    public string Name { get; } = name;

    public bool HasArgument { get; } = hasArgument;

    /// <summary>Gets a value indicating whether the operation returns nothing (its cell shows no result).</summary>
    public bool IsCommand { get; } = isCommand;

    public Gen<object?> Arguments { get; } = arguments;

    public Func<TSut, object?, object?> Run { get; } = run;

    public Func<TModel, object?, (object? Result, TModel Next)> Model { get; } = model;

    public Func<object?, object?, bool> ResultsEqual { get; } = resultsEqual;
}

/// <summary>One completed call: which operation, its argument and result, and its invoke/response times.</summary>
/// <remarks>Times come from one shared counter incremented with <see cref="Interlocked"/>, so they are totally ordered.</remarks>
internal struct HistoryEntry
{
    public int Operation;
    public object? Argument;
    public object? Result;
    public long Invoked;
    public long Responded;
}
