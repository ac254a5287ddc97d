using ThreadSafe;

namespace QuickTour;

/// <summary>ReadWriteGuarded&lt;T&gt;: many readers at once, one writer alone, and writers are never starved.</summary>
internal static class ReadWriteGuardedTour
{
    private sealed class Settings
    {
        public int Version;
        public int Checksum; // always Version * 31: a reader that sees otherwise saw a half-written update
    }

    public static string Run()
    {
        const int Readers = 3, ReadsPerReader = 200_000, Writes = 1_000;
        var settings = new ReadWriteGuarded<Settings>(
            new Settings(),
            copy: s => new Settings { Version = s.Version, Checksum = s.Checksum });
        long torn = 0;

        Check.RunThreads(Readers + 1, t =>
        {
            if (t == Readers)
            {
                // The writer: each update changes both fields; no reader may see one without the other.
                for (int v = 1; v <= Writes; v++)
                {
                    settings.Write(v, static (s, version) =>
                    {
                        s.Version = version;
                        s.Checksum = version * 31;
                    });
                }

                return;
            }

            // The readers run side by side; state-passing overloads with static lambdas allocate nothing.
            for (int i = 0; i < ReadsPerReader; i++)
            {
                if (!settings.Read(static s => s.Checksum == s.Version * 31))
                {
                    Interlocked.Increment(ref torn);
                }
            }
        });

        Settings final = settings.Snapshot(); // a copy: safe to use without the lock
        Check.That(torn == 0, $"{torn} reads saw a half-written update");
        Check.That(final.Version == Writes && final.Checksum == Writes * 31, $"expected version {Writes}, got {final.Version}");

        // Upgrading a read to a write would wait for itself forever: it is refused instead.
        bool refused = false;
        try
        {
            settings.Read(s => settings.Write(static x => x.Version++));
        }
        catch (LockRecursionException)
        {
            refused = true;
        }

        Check.That(refused, "a write from inside a read was not refused");
        Check.That(settings.Read(static s => s.Version) == Writes, "the refused write changed the value");
        return $"{Readers} readers x {ReadsPerReader:N0} reads beside {Writes:N0} writes, none torn; read-to-write upgrade refused";
    }
}
