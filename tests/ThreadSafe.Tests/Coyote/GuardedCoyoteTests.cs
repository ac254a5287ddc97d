using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>Systematic schedule exploration of <see cref="Guarded{T}"/>.</summary>
public sealed class GuardedCoyoteTests(ITestOutputHelper output)
{
    private sealed class Counter
    {
        public int Value;
    }

    [Fact]
    public void Write_ConcurrentReadModifyWrite_NeverLosesAnUpdate()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guarded = new Guarded<Counter>(new Counter());
                Task[] workers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
                {
                    for (int i = 0; i < 2; i++)
                    {
                        guarded.Write(c =>
                        {
                            int seen = c.Value;
                            Thread.Yield();
                            c.Value = seen + 1;
                        });
                    }
                })).ToArray();
                await Task.WhenAll(workers);
                int total = guarded.Read(c => c.Value);
                Microsoft.Coyote.Specifications.Specification.Assert(total == 6, $"Expected 6 increments, saw {total}.");
            },
            output);
    }

    [Fact]
    public void UnguardedReadModifyWrite_IsCaught_ProvingTheHarnessCanFail()
    {
        CoyoteRun.ExpectBug(
            async () =>
            {
                var counter = new Counter();
                var gate = new object();
                Task[] workers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
                {
                    int seen;
                    lock (gate)
                    {
                        seen = counter.Value;
                    }

                    lock (gate)
                    {
                        counter.Value = seen + 1;
                    }
                })).ToArray();
                await Task.WhenAll(workers);
                Microsoft.Coyote.Specifications.Specification.Assert(counter.Value == 2, $"Lost update: {counter.Value}.");
            },
            output);
    }
}
