using ThreadSafe.Testing.UserLibrary;

namespace ThreadSafe.Testing.UnlistedLibrary;

/// <summary>
/// A counter whose <see cref="Increment"/> reads under one lock and writes under another: two threads can
/// read the same value and lose an increment. Systematic mode finds the lost update only when this
/// assembly is rewritten: its locks are the only places the two threads can interleave.
/// </summary>
public sealed class SplitLockCounter : ICounter
{
    // Guards _value.
    private readonly object _lock = new();
    private int _value;

    /// <summary>Adds one and returns the new value (racy: see the class summary).</summary>
    /// <returns>The value after this increment.</returns>
    public int Increment()
    {
        int read;
        lock (_lock)
        {
            read = _value;
        }

        lock (_lock)
        {
            _value = read + 1;
            return _value;
        }
    }

    /// <summary>Gets the current value.</summary>
    public int Value
    {
        get
        {
            lock (_lock)
            {
                return _value;
            }
        }
    }
}
