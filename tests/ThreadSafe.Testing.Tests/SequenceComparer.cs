using System.Collections.Immutable;

namespace ThreadSafe.Testing.Tests;

/// <summary>Value equality for immutable-list models, so the checker's cache recognizes equal states.</summary>
public sealed class SequenceComparer : IEqualityComparer<ImmutableList<int>>
{
    public static readonly SequenceComparer Instance = new();

    public bool Equals(ImmutableList<int>? x, ImmutableList<int>? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.SequenceEqual(y));

    public int GetHashCode(ImmutableList<int> obj)
    {
        var hash = default(HashCode);
        foreach (int item in obj)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }
}
