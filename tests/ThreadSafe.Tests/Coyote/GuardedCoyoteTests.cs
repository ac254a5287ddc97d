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

    private sealed class Pair
    {
        public int A;
        public int B;
    }

    [Fact]
    public void WriteAndTryWrite_Concurrent_ReadersNeverSeeTornPair()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guarded = new Guarded<Pair>(new Pair());
                Task writer = Task.Run(() =>
                {
                    for (int i = 1; i <= 2; i++)
                    {
                        guarded.Write(i, static (p, v) =>
                        {
                            p.A = v;
                            Thread.Yield();
                            p.B = v;
                        });
                    }
                });
                Task tryWriter = Task.Run(() => guarded.TryWrite(static p =>
                {
                    p.A = 10;
                    Thread.Yield();
                    p.B = 10;
                }, TimeSpan.Zero));
                Task reader = Task.Run(() =>
                {
                    for (int i = 0; i < 3; i++)
                    {
                        (int a, int b) = guarded.Read(static p => (p.A, p.B));
                        Microsoft.Coyote.Specifications.Specification.Assert(a == b, $"Torn read: A={a}, B={b}.");
                    }
                });
                await Task.WhenAll(new[] { writer, tryWriter, reader });
            },
            output);
    }

    [Fact]
    public void Write_NestedCallOnSameInstanceUnderContention_AlwaysThrowsLockRecursion()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guarded = new Guarded<Counter>(new Counter());
                Task Actor() => Task.Run(() =>
                {
                    bool threw = false;
                    guarded.Write(c =>
                    {
                        try
                        {
                            guarded.Read(static x => x.Value);
                        }
                        catch (LockRecursionException)
                        {
                            threw = true;
                        }

                        c.Value++;
                    });
                    Microsoft.Coyote.Specifications.Specification.Assert(threw, "A nested call was not detected.");
                });
                await Task.WhenAll(new[] { Actor(), Actor() });
                Microsoft.Coyote.Specifications.Specification.Assert(guarded.Read(static c => c.Value) == 2, "An update was lost.");
            },
            output);
    }
}
