using System.Collections.Immutable;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace ThreadSafe.Testing.Tests;

/// <summary>
/// ThreadSafe's own <see cref="SingleWriter{TResource}"/> over an in-memory list, checked for linearizability in both
/// modes. Every write runs on the writer alone, in the order the writes were queued, so each call's result must be
/// explained by one sequential order of all calls that respects real time: a fire-and-forget <c>Post</c> counts
/// from its enqueue, which happens before it returns. Batching is on (two writes per batch), so batch boundaries
/// vary between runs. In systematic mode the writer loop runs as a task (the test-only option its Coyote tests use),
/// because Coyote does not control a dedicated <c>new Thread</c>.
/// </summary>
public sealed class SingleWriterLinearizabilityTests(ITestOutputHelper output)
{
    private static readonly LinearizabilityOptions Options = new() { Scenarios = 10, RunsPerScenario = 10, IterationsPerScenario = 30 };

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private static LinearizabilitySpec<SingleWriter<List<int>>, ImmutableList<int>> Spec(bool systematic)
    {
        T Wait<T>(Task<T> task) => systematic ? task.GetAwaiter().GetResult() : task.WaitAsync(WaitLimit).GetAwaiter().GetResult();

        return new LinearizabilitySpec<SingleWriter<List<int>>, ImmutableList<int>>(
                () => new SingleWriter<List<int>>(() => [], new SingleWriterOptions<List<int>> { MaxBatchSize = 2, Capacity = 64, RunWriterLoopAsTask = systematic }),
                () => [],
                SequenceComparer.Instance)
            .Operation("Append", Gen.Choose(1, 3), (w, x) => Wait(w.ExecuteAsync(l => Append(l, x))), (m, x) => (m.Count + 1, m.Add(x)))
            .Operation("Remove", Gen.Choose(1, 3), (w, x) => Wait(w.ExecuteAsync(l => l.Remove(x))), (m, x) => (m.Contains(x), m.Remove(x)))
            .Command("Post", Gen.Choose(1, 3), (w, x) => w.Post(l => l.Add(x)), (m, x) => m.Add(x))
            .Operation("Read", w => w.Execute(static l => new List<int>(l)), m => ((List<int>)[.. m], m));
    }

    // Returns the count after adding.
    private static int Append(List<int> list, int x)
    {
        list.Add(x);
        return list.Count;
    }

    /// <summary>Property: ExecuteAsync, Execute and Post results are explained by some sequential order of the writes respecting real time (real writer thread).</summary>
    [Fact]
    public void SingleWriter_Stress_IsLinearizable() => Spec(systematic: false).Check(Options with { Log = output.WriteLine });

    /// <summary>Property: ExecuteAsync, Execute and Post results are explained by some sequential order of the writes respecting real time (Coyote schedules).</summary>
    [Fact]
    public void SingleWriter_Systematic_IsLinearizable() => Spec(systematic: true).CheckSystematic(Options with { Log = output.WriteLine });

    /// <summary>The property can fail: a post handed to another task returns before its write is queued, so a later read may miss it.</summary>
    [Fact]
    public void SingleWriter_PostThatReturnsBeforeQueuing_IsCaughtBySystematicMode()
    {
        LinearizabilitySpec<SingleWriter<List<int>>, ImmutableList<int>> misused = Spec(systematic: true)
            .Command("PostLater", Gen.Choose(1, 3), (w, x) => PostLater(w, x), (m, x) => m.Add(x));
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => misused.CheckScenarioSystematic(
                new Scenario([Invocation.Of("PostLater", 1)], [[Invocation.Of("Read")]], []),
                Options with { IterationsPerScenario = 200 }));
        output.WriteLine(ex.Message);
        Assert.Contains("Not linearizable", ex.Message, StringComparison.Ordinal);
    }

    // Queues the write from another task and returns at once; the write is dropped if the writer completed first.
    private static void PostLater(SingleWriter<List<int>> writer, int x) => _ = Task.Run(() =>
    {
        try
        {
            writer.Post(l => l.Add(x));
        }
        catch (InvalidOperationException)
        {
            // The run ended (the writer completed) before this post got in: the lost write is the point.
        }
    });
}
