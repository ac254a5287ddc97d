// QuickTour: runs every ThreadSafe primitive on real threads and prints a short, verified summary.
// Each section checks its own result and throws on a mismatch, so the exit code tells whether all held.
using QuickTour;

(string Name, Func<string> Run)[] sections =
[
    ("Guarded<T>", GuardedTour.Run),
    ("ReadWriteGuarded<T>", ReadWriteGuardedTour.Run),
    ("AsyncGuarded<T>", AsyncGuardedTour.Run),
    ("ThreadConfined<T>", ThreadConfinedTour.Run),
    ("WorkQueue<T>", WorkQueueTour.Run),
    ("SingleWriter<TResource>", SingleWriterTour.Run),
    ("ThreadSafe.Testing", TestingTour.Run),
];

int failures = 0;
foreach ((string name, Func<string> run) in sections)
{
    try
    {
        Console.WriteLine($"[ok]   {name}: {run()}");
    }
    catch (Exception ex)
    {
        failures++;
        Console.WriteLine($"[FAIL] {name}: {ex.Message}");
    }
}

Console.WriteLine(failures == 0 ? $"All {sections.Length} sections verified." : $"{failures} section(s) failed.");
return failures == 0 ? 0 : 1;
