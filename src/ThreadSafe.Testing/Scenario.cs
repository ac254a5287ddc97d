using System.Globalization;
using System.Text;

namespace ThreadSafe.Testing;

/// <summary>
/// What one check runs: a sequential prefix (run first, on one thread), parallel threads (run together),
/// and a sequential suffix (run after every thread has finished). Immutable.
/// </summary>
public sealed class Scenario
{
    /// <summary>Creates a scenario.</summary>
    /// <param name="prefix">Calls run sequentially before the parallel part; may be empty.</param>
    /// <param name="threads">The parallel part: one list of calls per thread; at least one thread, no empty thread.</param>
    /// <param name="suffix">Calls run sequentially after the parallel part; may be empty.</param>
    /// <exception cref="ArgumentNullException">An argument or an invocation is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="threads"/> is empty or has an empty thread.</exception>
    public Scenario(IEnumerable<Invocation> prefix, IEnumerable<IEnumerable<Invocation>> threads, IEnumerable<Invocation> suffix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(threads);
        ArgumentNullException.ThrowIfNull(suffix);
        Prefix = Copy(prefix, nameof(prefix));
        Threads = threads.Select(t => Copy(t ?? throw new ArgumentNullException(nameof(threads)), nameof(threads))).ToArray();
        Suffix = Copy(suffix, nameof(suffix));
        if (Threads.Count == 0 || Threads.Any(t => t.Count == 0))
        {
            throw new ArgumentException("A scenario needs at least one parallel thread, and no thread may be empty.", nameof(threads));
        }
    }

    /// <summary>Creates a scenario with only a parallel part.</summary>
    /// <param name="threads">One list of calls per thread.</param>
    /// <exception cref="ArgumentNullException"><paramref name="threads"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="threads"/> is empty or has an empty thread.</exception>
    public Scenario(params IEnumerable<Invocation>[] threads)
        : this([], threads, [])
    {
    }

    /// <summary>Gets the calls run sequentially before the parallel part.</summary>
    public IReadOnlyList<Invocation> Prefix { get; }

    /// <summary>Gets the parallel part: one list of calls per thread.</summary>
    public IReadOnlyList<IReadOnlyList<Invocation>> Threads { get; }

    /// <summary>Gets the calls run sequentially after the parallel part.</summary>
    public IReadOnlyList<Invocation> Suffix { get; }

    /// <summary>Gets the total number of calls.</summary>
    public int Count => Prefix.Count + Threads.Sum(t => t.Count) + Suffix.Count;

    /// <summary>Formats the scenario as a compact one-line description.</summary>
    /// <returns>The scenario as text, e.g. <c>[Add(1)] | Inc(); Get() || Inc() | []</c>.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append('[').AppendJoin("; ", Prefix).Append("] | ");
        text.AppendJoin(" || ", Threads.Select(t => string.Join("; ", t)));
        text.Append(" | [").AppendJoin("; ", Suffix).Append(']');
        return text.ToString();
    }

    internal static string Plural(int n, string what) => string.Create(CultureInfo.InvariantCulture, $"{n} {what}{(n == 1 ? string.Empty : "s")}");

    private static Invocation[] Copy(IEnumerable<Invocation> calls, string paramName)
    {
        Invocation[] copy = calls.ToArray();
        if (copy.Any(c => c is null))
        {
            throw new ArgumentNullException(paramName, "A scenario cannot contain a null invocation.");
        }

        return copy;
    }
}
