using ThreadSafe;

namespace QuickTour;

/// <summary>Guarded&lt;T&gt;: the value owns its lock; callers pass delegates and never lock by hand.</summary>
internal static class GuardedTour
{
    public static string Run()
    {
        const int Threads = 4, PerThread = 100_000;
        var counts = new Guarded<Dictionary<string, int>>(new Dictionary<string, int>(), copy: d => new Dictionary<string, int>(d));

        Check.RunThreads(Threads, t =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                counts.Write(i % 2 == 0 ? "even" : "odd", static (d, key) => d[key] = d.GetValueOrDefault(key) + 1);
            }
        });

        Dictionary<string, int> snapshot = counts.Snapshot(); // a copy: safe to use without the lock
        int total = snapshot.Values.Sum();
        Check.That(total == Threads * PerThread, $"expected {Threads * PerThread} increments, counted {total}");
        Check.That(snapshot["even"] == snapshot["odd"], "even and odd counts differ");
        return $"{Threads} threads x {PerThread:N0} increments = {total:N0}, none lost";
    }
}
