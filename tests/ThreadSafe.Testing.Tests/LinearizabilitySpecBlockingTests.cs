using System.Collections.Immutable;
using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;

namespace ThreadSafe.Testing.Tests;

/// <summary>Operations that block: the sequential prefix and suffix are bounded by the timeout too, and the FsCheck property skips scenarios that must block.</summary>
public sealed class LinearizabilitySpecBlockingTests
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1);

    [Fact]
    public void CheckScenario_SuffixBlocksForever_FailsWithinTheTimeoutAsAHang() =>
        // The buffer drops every item, so the suffix's Take (feasible on the model) waits on the test's thread.
        AssertFailsWithinTheTimeoutAsAHang(new Scenario([], [[Invocation.Of("Put", 1)]], [Invocation.Of("Take")]));

    [Fact]
    public void CheckScenario_PrefixBlocksForever_FailsWithinTheTimeoutAsAHang() =>
        AssertFailsWithinTheTimeoutAsAHang(new Scenario([Invocation.Of("Put", 1), Invocation.Of("Take")], [[Invocation.Of("Put", 2)]], []));

    [Fact]
    public void Property_CorrectBlockingBuffer_SkipsScenariosThatMustBlock()
    {
        // Many generated scenarios take before they put: they must block, so they prove nothing. With one
        // parallel thread the calls run in the one order the model checks, so a scenario the model can
        // complete never blocks (with more threads, another order may block a correct buffer: see
        // docs/testing.md). The verdict does not depend on FsCheck's seed.
        var buffers = new List<BoundedWaitBuffer>();
        LinearizabilitySpec<BoundedWaitBuffer, ImmutableList<int>> spec = Spec(() =>
        {
            var b = new BoundedWaitBuffer(dropItems: false);
            lock (buffers)
            {
                buffers.Add(b);
            }

            return b;
        });
        try
        {
            Check.One(
                Config.QuickThrowOnFailure.WithMaxTest(30),
                spec.Property(new LinearizabilityOptions { RunsPerScenario = 1, Timeout = Short, MinThreads = 1, MaxThreads = 1 }));
        }
        finally
        {
            lock (buffers)
            {
                buffers.ForEach(b => b.ReleaseAll());
            }
        }
    }

    private static LinearizabilitySpec<BoundedWaitBuffer, ImmutableList<int>> Spec(Func<BoundedWaitBuffer> create) =>
        new LinearizabilitySpec<BoundedWaitBuffer, ImmutableList<int>>(create, () => [], SequenceComparer.Instance)
            .Command("Put", Gen.Choose(1, 2), (b, x) => b.Put(x), (m, x) => m.Add(x))
            .Operation("Take", b => b.Take(), m => m.IsEmpty ? throw new InvalidOperationException("Take blocks on an empty buffer.") : (m[0], m.RemoveAt(0)));

    // Checks the scenario on a buffer that drops every item, so a Take the model can complete blocks for ever.
    private static void AssertFailsWithinTheTimeoutAsAHang(Scenario scenario)
    {
        using var buffer = new BoundedWaitBuffer(dropItems: true);
        var clock = Stopwatch.StartNew();
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(() => Spec(() => buffer).CheckScenario(
            scenario, new LinearizabilityOptions { RunsPerScenario = 1, Timeout = Short }));
        buffer.ReleaseAll();
        Assert.Contains("did not complete", ex.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"The hang took {clock.Elapsed} to be reported.");
    }

    /// <summary>A blocking buffer whose Take gives up only after a long wait or when the test releases it, so a failing test cannot hang the run.</summary>
    private sealed class BoundedWaitBuffer(bool dropItems) : IDisposable
    {
        // Guards _items and _released.
        private readonly object _gate = new();
        private readonly Queue<int> _items = new();
        private bool _released;

        public void Put(int item)
        {
            lock (_gate)
            {
                if (!dropItems)
                {
                    _items.Enqueue(item);
                }

                Monitor.PulseAll(_gate);
            }
        }

        public int Take()
        {
            var clock = Stopwatch.StartNew();
            lock (_gate)
            {
                while (_items.Count == 0)
                {
                    TimeSpan left = TimeSpan.FromSeconds(30) - clock.Elapsed;
                    if (_released || left <= TimeSpan.Zero)
                    {
                        throw new TimeoutException("Take gave up.");
                    }

                    Monitor.Wait(_gate, left);
                }

                return _items.Dequeue();
            }
        }

        public void ReleaseAll()
        {
            lock (_gate)
            {
                _released = true;
                Monitor.PulseAll(_gate);
            }
        }

        public void Dispose() => ReleaseAll();
    }
}
