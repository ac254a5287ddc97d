using System.Diagnostics;

namespace ThreadSafe;

/// <summary>
/// A per-thread record of the primitives whose delegate the current thread is running, so a call from
/// inside one of those delegates is detected before it could deadlock or re-enter.
/// </summary>
/// <remarks>
/// <para>
/// Why per-thread: a reader-writer lock lets many threads hold its read side at once, so the lock itself
/// cannot tell "this thread already reads" from "another thread reads" without a per-thread fact. An owner
/// thread id would answer the question for the write side only (and reading it costs about as much as this
/// whole record). A thread-static record answers it for both sides with no shared memory at all: it is read
/// and written only by its own thread, so it needs no synchronization and causes no cache traffic.
/// </para>
/// <para>
/// Shape: one inline slot (<c>t_first</c>) that covers the overwhelmingly common case of a thread inside a
/// single primitive, plus an overflow list for delegates that use other instances from inside (allowed:
/// only the same instance is recursion). Invariants, per thread: an instance appears at most once;
/// <c>t_more</c> is non-empty only while <c>t_first</c> is non-null, so "<c>t_first</c> is null" alone proves
/// the record empty on the fast path. Delegates are synchronous, so entries are added and removed by the
/// same thread in nested (last-in, first-out) order.
/// </para>
/// </remarks>
internal static class HeldLocks
{
    [ThreadStatic]
    private static object? t_first;

    [ThreadStatic]
    private static List<object>? t_more;

    /// <summary>Records that the current thread holds <paramref name="instance"/>.</summary>
    /// <returns><see langword="false"/> if the current thread already holds it (recursion); nothing is recorded then.</returns>
    public static bool TryAdd(object instance)
    {
        if (t_first is null)
        {
            Debug.Assert(t_more is null || t_more.Count == 0, "The overflow list is used only while the inline slot is taken.");
            t_first = instance;
            return true;
        }

        return TryAddSlow(instance);
    }

    /// <summary>Removes <paramref name="instance"/>, which the current thread holds, from the record.</summary>
    public static void Remove(object instance)
    {
        List<object>? more = t_more;
        if (more is null || more.Count == 0)
        {
            Debug.Assert(ReferenceEquals(t_first, instance), "Remove of an instance this thread does not hold.");
            t_first = null;
            return;
        }

        RemoveSlow(instance, more);
    }

    /// <summary>Returns whether the current thread holds <paramref name="instance"/>.</summary>
    public static bool IsHeld(object instance)
    {
        if (ReferenceEquals(t_first, instance))
        {
            return true;
        }

        List<object>? more = t_more;
        if (more is not null)
        {
            foreach (object held in more)
            {
                if (ReferenceEquals(held, instance))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool TryAddSlow(object instance)
    {
        if (IsHeld(instance))
        {
            return false;
        }

        (t_more ??= new List<object>(4)).Add(instance);
        return true;
    }

    private static void RemoveSlow(object instance, List<object> more)
    {
        // Most recent first: delegates nest, so the instance being left is normally the last one added.
        for (int i = more.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(more[i], instance))
            {
                more.RemoveAt(i);
                return;
            }
        }

        // It is the inline slot: refill it from the list to keep "t_more non-empty => t_first non-null".
        Debug.Assert(ReferenceEquals(t_first, instance), "Remove of an instance this thread does not hold.");
        t_first = more[^1];
        more.RemoveAt(more.Count - 1);
    }
}
