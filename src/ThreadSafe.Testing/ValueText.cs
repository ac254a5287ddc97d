using System.Collections;
using System.Globalization;

namespace ThreadSafe.Testing;

/// <summary>Formats arguments and results for failure tables: invariant culture, short, unambiguous.</summary>
internal static class ValueText
{
    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        char c => "'" + c + "'",
        Thrown t => t.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Take(10).Select(Format)) + (e.Cast<object?>().Skip(10).Any() ? ", ..." : string.Empty) + "]",
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Default result equality: <see cref="EqualityComparer{T}.Default"/>, element by element for sequences.</summary>
    public static bool DefaultEquals(object? expected, object? actual)
    {
        if (Equals(expected, actual))
        {
            return true;
        }

        if (expected is IEnumerable e1 and not string && actual is IEnumerable e2 and not string)
        {
            return e1.Cast<object?>().SequenceEqual(e2.Cast<object?>(), ObjectEquality.Instance);
        }

        return false;
    }

    private sealed class ObjectEquality : IEqualityComparer<object?>
    {
        public static readonly ObjectEquality Instance = new();

        public new bool Equals(object? x, object? y) => DefaultEquals(x, y);

        public int GetHashCode(object? obj) => obj?.GetHashCode() ?? 0;
    }
}

/// <summary>The result recorded for an operation of the real object that threw: it never equals a model's result.</summary>
internal sealed class Thrown(Exception exception)
{
    public Exception Exception { get; } = exception;

    public override string ToString() => "throws " + Exception.GetType().Name;
}
