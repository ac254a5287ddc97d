using System.Collections.Concurrent;

namespace ThreadSafe.Testing.Tests.Zoo;

/// <summary>A set of keys where the first caller to add a key wins (<c>AddIfAbsent</c> returns true only for it).</summary>
public interface IRegistry
{
    bool AddIfAbsent(int key);

    bool Contains(int key);
}

/// <summary>Broken: check-then-act on a concurrent dictionary; two callers can both see the key absent and both "win".</summary>
public sealed class CheckThenActRegistry : IRegistry
{
    private readonly ConcurrentDictionary<int, bool> _keys = new();

    public bool AddIfAbsent(int key)
    {
        if (_keys.ContainsKey(key))
        {
            return false;
        }

        _keys[key] = true;
        return true;
    }

    public bool Contains(int key) => _keys.ContainsKey(key);
}

/// <summary>Correct twin: one atomic TryAdd.</summary>
public sealed class AtomicRegistry : IRegistry
{
    private readonly ConcurrentDictionary<int, bool> _keys = new();

    public bool AddIfAbsent(int key) => _keys.TryAdd(key, true);

    public bool Contains(int key) => _keys.ContainsKey(key);
}
