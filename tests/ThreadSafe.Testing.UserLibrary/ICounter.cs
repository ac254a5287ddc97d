namespace ThreadSafe.Testing.UserLibrary;

/// <summary>A counter, declared apart from its implementations (as a contracts assembly would).</summary>
public interface ICounter
{
    /// <summary>Gets the current value.</summary>
    int Value { get; }

    /// <summary>Adds one and returns the new value.</summary>
    /// <returns>The value after this increment.</returns>
    int Increment();
}
