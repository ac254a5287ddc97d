using System.Collections.Concurrent;

namespace TestingYourOwnType;

/// <summary>Counts page hits from many threads. <c>Record</c> returns the page's new count.</summary>
public sealed class HitCounter(bool atomic)
{
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);

    public int Record(string page)
    {
        if (atomic)
        {
            // Fixed: one atomic read-modify-write per hit.
            return _hits.AddOrUpdate(page, 1, static (_, n) => n + 1);
        }

        // Broken: each dictionary call is thread-safe, the read-then-write pair is not (a lost update).
        int count = _hits.TryGetValue(page, out int n) ? n + 1 : 1;
        _hits[page] = count;
        return count;
    }

    public int Count(string page) => _hits.TryGetValue(page, out int n) ? n : 0;
}
