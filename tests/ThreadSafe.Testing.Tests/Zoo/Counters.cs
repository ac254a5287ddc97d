namespace ThreadSafe.Testing.Tests.Zoo;

/// <summary>A counter: <c>Increment</c> returns the new value.</summary>
public interface ICounter
{
    int Increment();

    int Value { get; }
}

/// <summary>Broken: read, then write back one more; two increments can both read the same value (lost update).</summary>
public sealed class LostUpdateCounter : ICounter
{
    private int _value;

    public int Value => Volatile.Read(ref _value);

    public int Increment()
    {
        int seen = Volatile.Read(ref _value);
        Volatile.Write(ref _value, seen + 1);
        return seen + 1;
    }
}

/// <summary>Correct twin: one atomic read-modify-write.</summary>
public sealed class AtomicCounter : ICounter
{
    private int _value;

    public int Value => Volatile.Read(ref _value);

    public int Increment() => Interlocked.Increment(ref _value);
}
