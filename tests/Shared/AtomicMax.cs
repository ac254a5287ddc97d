namespace ThreadSafe.Tests.Shared;

/// <summary>A lock-free running maximum, for tests that record the largest value seen by concurrent handlers.</summary>
internal static class AtomicMax
{
    /// <summary>Raises <paramref name="target"/> to <paramref name="value"/> if it is larger; concurrent calls keep the largest.</summary>
    public static void Raise(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
