namespace ThreadSafe.Testing.Tests.Zoo;

/// <summary>Lazy initialization: every <c>Get</c> must return the one instance created (its id is 1).</summary>
public sealed class LazyBox(bool secondCheck)
{
    // Guards creation.
    private readonly object _gate = new();
    private Instance? _instance;
    private int _created;

    public int Get()
    {
        Instance? seen = Volatile.Read(ref _instance);
        if (seen is null)
        {
            lock (_gate)
            {
                // Broken without the second check: two threads that both saw null create two instances.
                seen = secondCheck ? Volatile.Read(ref _instance) : null;
                if (seen is null)
                {
                    seen = new Instance(Interlocked.Increment(ref _created));
                    Volatile.Write(ref _instance, seen);
                }
            }
        }

        return seen.Id;
    }

    private sealed record Instance(int Id);
}
