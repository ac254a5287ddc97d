using System.Globalization;

namespace ThreadSafe.Testing;

/// <summary>One call in a <see cref="Scenario"/>: the name of an operation of the specification and its argument.</summary>
public sealed class Invocation
{
    private Invocation(string operation, bool hasArgument, object? argument)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        Operation = operation;
        HasArgument = hasArgument;
        Argument = argument;
    }

    /// <summary>Gets the name of the operation, as registered in the specification.</summary>
    public string Operation { get; }

    /// <summary>Gets a value indicating whether the operation takes an argument.</summary>
    public bool HasArgument { get; }

    /// <summary>Gets the argument (<see langword="null"/> when <see cref="HasArgument"/> is <see langword="false"/>).</summary>
    public object? Argument { get; }

    /// <summary>Creates a call of an operation that takes no argument.</summary>
    /// <param name="operation">The operation's name.</param>
    /// <returns>The invocation.</returns>
    /// <exception cref="ArgumentException"><paramref name="operation"/> is null or empty.</exception>
    public static Invocation Of(string operation) => new(operation, false, null);

    /// <summary>Creates a call of an operation with an argument.</summary>
    /// <param name="operation">The operation's name.</param>
    /// <param name="argument">The argument, of the operation's argument type.</param>
    /// <returns>The invocation.</returns>
    /// <exception cref="ArgumentException"><paramref name="operation"/> is null or empty.</exception>
    public static Invocation Of(string operation, object? argument) => new(operation, true, argument);

    /// <summary>Formats the call as <c>Operation(argument)</c>.</summary>
    /// <returns>The call as text.</returns>
    public override string ToString() =>
        HasArgument
            ? string.Create(CultureInfo.InvariantCulture, $"{Operation}({ValueText.Format(Argument)})")
            : Operation + "()";
}
