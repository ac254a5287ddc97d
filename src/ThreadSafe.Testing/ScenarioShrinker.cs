namespace ThreadSafe.Testing;

/// <summary>Smaller variants of a scenario, most aggressive first: whole threads, then single calls.</summary>
internal static class ScenarioShrinker
{
    public static IEnumerable<Scenario> Candidates(Scenario s)
    {
        // Drop a whole parallel thread (keeping at least one).
        if (s.Threads.Count > 1)
        {
            for (int t = 0; t < s.Threads.Count; t++)
            {
                yield return new Scenario(s.Prefix, Without(s.Threads, t), s.Suffix);
            }
        }

        // Drop the prefix or suffix entirely, then one call of them.
        if (s.Prefix.Count > 1)
        {
            yield return new Scenario([], s.Threads, s.Suffix);
        }

        if (s.Suffix.Count > 1)
        {
            yield return new Scenario(s.Prefix, s.Threads, []);
        }

        for (int k = 0; k < s.Prefix.Count; k++)
        {
            yield return new Scenario(Without(s.Prefix, k), s.Threads, s.Suffix);
        }

        for (int k = 0; k < s.Suffix.Count; k++)
        {
            yield return new Scenario(s.Prefix, s.Threads, Without(s.Suffix, k));
        }

        // Drop one call of a thread that has more than one.
        for (int t = 0; t < s.Threads.Count; t++)
        {
            for (int k = 0; k < s.Threads[t].Count && s.Threads[t].Count > 1; k++)
            {
                IReadOnlyList<Invocation>[] threads = [.. s.Threads];
                threads[t] = Without(s.Threads[t], k);
                yield return new Scenario(s.Prefix, threads, s.Suffix);
            }
        }
    }

    private static T[] Without<T>(IReadOnlyList<T> items, int index) =>
        items.Where((_, i) => i != index).ToArray();
}
