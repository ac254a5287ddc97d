namespace ThreadSafe.Testing.UserLibrary;

/// <summary>
/// A set of tags over <see cref="Guarded{T}"/> whose <see cref="AddIfAbsent"/> is a check-then-act race:
/// the check and the add are two guarded calls, so two threads can both find a tag absent and both add it.
/// Systematic mode finds the race only when ThreadSafe.dll is rewritten too: the lock inside
/// <see cref="Guarded{T}"/> is the only place the two calls can interleave.
/// </summary>
public sealed class TagRegistry
{
    // Guards the tags; every access goes through the Guarded<T>.
    private readonly Guarded<HashSet<int>> _tags = new([]);

    /// <summary>Adds the tag if no one did; true for the caller that added it (racy: see the class summary).</summary>
    /// <param name="tag">The tag.</param>
    /// <returns>Whether this call added the tag.</returns>
    public bool AddIfAbsent(int tag)
    {
        if (_tags.Read(tag, static (set, t) => set.Contains(t)))
        {
            return false;
        }

        return _tags.Write(tag, static (set, t) =>
        {
            set.Add(t);
            return true;
        });
    }

    /// <summary>Whether the tag was added.</summary>
    /// <param name="tag">The tag.</param>
    /// <returns>Whether the registry holds the tag.</returns>
    public bool Contains(int tag) => _tags.Read(tag, static (set, t) => set.Contains(t));
}
