using System.Collections.Immutable;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace ThreadSafe.Testing.Tests;

/// <summary>
/// ThreadSafe's own <see cref="WorkQueue{T}"/>, checked for linearizability in both modes, as an accept-then-drain
/// object: adds are accepted until completion starts and refused after, and completion returns once every accepted
/// item has been handled exactly once. When each item is handled, and so <see cref="WorkQueue{T}.Count"/> and
/// <see cref="WorkQueue{T}.ProcessedCount"/> before completion, depends on the consumers' timing: no deterministic
/// sequential model explains them, so no operation observes them. The capacity (64) exceeds the calls of any
/// scenario, so a refused add can only mean "no longer accepting".
/// </summary>
public sealed class WorkQueueLinearizabilityTests(ITestOutputHelper output)
{
    private static readonly LinearizabilityOptions Options = new() { Scenarios = 10, RunsPerScenario = 10, IterationsPerScenario = 30 };

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    /// <summary>The queue with two consumers that record every item they handle; disposing it completes the queue.</summary>
    private sealed class QueueUnderTest : IAsyncDisposable
    {
        public QueueUnderTest(bool systematic)
        {
            Queue = new WorkQueue<int>(
                item => Handled.Write(item, static (l, v) => l.Add(v)),
                new WorkQueueOptions<int> { Capacity = 64, Consumers = 2, UseDedicatedThreads = !systematic });
            Systematic = systematic;
        }

        public Guarded<List<int>> Handled { get; } = new([], copy: l => [.. l]);

        public WorkQueue<int> Queue { get; }

        public bool Systematic { get; }

        public void Wait(Task task)
        {
            if (Systematic)
            {
                task.GetAwaiter().GetResult();
            }
            else
            {
                task.WaitAsync(WaitLimit).GetAwaiter().GetResult();
            }
        }

        // Built from the Task: a ValueTask passed through unchanged makes invalid IL once Coyote rewrites this assembly.
        public ValueTask DisposeAsync() => new(Queue.CompleteAsync());
    }

    /// <summary>The model: whether completion has started, and the accepted items in ascending order.</summary>
    private sealed record QueueModel(bool Completing, ImmutableList<int> Accepted)
    {
        public static readonly QueueModel Initial = new(false, []);

        public (bool Result, QueueModel Next) Add(int x) => Completing ? (false, this) : (true, this with { Accepted = Accepted.Add(x).Sort() });
    }

    private sealed class QueueModelEquality : IEqualityComparer<QueueModel>
    {
        public static readonly QueueModelEquality Instance = new();

        public bool Equals(QueueModel? x, QueueModel? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x.Completing == y.Completing && SequenceComparer.Instance.Equals(x.Accepted, y.Accepted));

        public int GetHashCode(QueueModel obj) => HashCode.Combine(obj.Completing, SequenceComparer.Instance.GetHashCode(obj.Accepted));
    }

    private static LinearizabilitySpec<QueueUnderTest, QueueModel> Spec(bool systematic) =>
        new LinearizabilitySpec<QueueUnderTest, QueueModel>(() => new QueueUnderTest(systematic), () => QueueModel.Initial, QueueModelEquality.Instance)
            .Operation("Add", Gen.Choose(1, 3), (q, x) => Refusable(() => q.Queue.Add(x)), (m, x) => m.Add(x))
            .Operation("AddAsync", Gen.Choose(1, 3), (q, x) => Refusable(() => q.Wait(q.Queue.AddAsync(x).AsTask())), (m, x) => m.Add(x))
            .Operation("TryAdd", Gen.Choose(1, 3), (q, x) => q.Queue.TryAdd(x), (m, x) => m.Add(x))

            // Completes and waits for the drain: the items handled must be exactly the accepted ones, each once.
            .Operation("Complete", q => CompleteAndList(q), m => ((List<int>)[.. m.Accepted], m with { Completing = true }));

    // True if the add was accepted, false if refused because the queue no longer accepts items.
    private static bool Refusable(Action add)
    {
        try
        {
            add();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static List<int> CompleteAndList(QueueUnderTest q)
    {
        q.Wait(q.Queue.CompleteAsync());
        List<int> handled = q.Handled.Snapshot();
        handled.Sort();
        return handled;
    }

    /// <summary>Property: every add accepted before completion started is handled exactly once by the time completion ends, and every later add is refused (real threads).</summary>
    [Fact]
    public void WorkQueue_Stress_IsLinearizable() => Spec(systematic: false).Check(Options with { Log = output.WriteLine });

    /// <summary>Property: every add accepted before completion started is handled exactly once by the time completion ends, and every later add is refused (Coyote schedules, pool consumers).</summary>
    [Fact]
    public void WorkQueue_Systematic_IsLinearizable() => Spec(systematic: true).CheckSystematic(Options with { Log = output.WriteLine });

    /// <summary>The property can fail: reading the handled items right after starting completion, without waiting for the drain, misses accepted items.</summary>
    [Fact]
    public void WorkQueue_ListingBeforeTheDrainEnds_IsCaughtBySystematicMode()
    {
        LinearizabilitySpec<QueueUnderTest, QueueModel> misused = Spec(systematic: true)
            .Operation("CompleteNoWait", q => CompleteNoWait(q), m => ((List<int>)[.. m.Accepted], m with { Completing = true }));
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => misused.CheckScenarioSystematic(
                new Scenario([Invocation.Of("Add", 1)], [[Invocation.Of("CompleteNoWait")]], []),
                Options with { IterationsPerScenario = 200 }));
        output.WriteLine(ex.Message);
        Assert.Contains("Not linearizable", ex.Message, StringComparison.Ordinal);
    }

    private static List<int> CompleteNoWait(QueueUnderTest q)
    {
        _ = q.Queue.CompleteAsync();
        List<int> handled = q.Handled.Snapshot();
        handled.Sort();
        return handled;
    }
}
