using System.Collections.Concurrent;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Hosting.Tests;

/// <summary>
/// Shared by the handlers of one test (a singleton): what each item does, and what happened. Every wait in a test has
/// <see cref="Limit"/> (<see cref="TestLimits.Wait"/>) as its timeout, so a bug fails the test instead of hanging it.
/// </summary>
public sealed class Probe
{
    public static readonly TimeSpan Limit = TestLimits.Wait;

    /// <summary>Gets or sets what the handler does with an item; by default, nothing.</summary>
    public Func<int, CancellationToken, ValueTask> Behavior { get; set; } = (_, _) => default;

    public ConcurrentQueue<int> Handled { get; } = new();

    public ConcurrentQueue<IReadOnlyList<int>> Sunk { get; } = new();

    public ConcurrentQueue<Guid> ScopeIds { get; } = new();

    public int ScopesDisposed;

    public IEnumerable<int> AllSunk => Sunk.SelectMany(batch => batch);
}
