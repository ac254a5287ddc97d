using Microsoft.Coyote.Specifications;
using ThreadSafe.Tests.Coyote;
using Xunit.Abstractions;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Sqlite.Tests;

/// <summary>The gate that lets shutdown refuse new calls and wait for running ones: unit tests and Coyote exploration.</summary>
public sealed class CallGateTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Close_WaitsForEveryCallInside_AndRefusesNewOnes()
    {
        var gate = new CallGate();
        Assert.True(gate.TryEnter());
        Assert.True(gate.TryEnter());

        Task drained = gate.Close();
        Assert.False(gate.TryEnter());
        Assert.False(drained.IsCompleted);
        gate.Exit();
        Assert.False(drained.IsCompleted);
        gate.Exit();

        await drained.WaitAsync(TestLimits.Wait);
        Assert.Same(drained, gate.Close());
    }

    [Fact]
    public void Exit_WithoutEnter_Throws() => Assert.Throws<InvalidOperationException>(() => new CallGate().Exit());

    /// <summary>Property: once the task returned by Close has completed, no call is inside and none can enter.</summary>
    [Fact]
    public void Coyote_Close_RacingCallers_CompletesOnlyWhenNoCallIsInside()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var gate = new CallGate();
                int inside = 0;
                bool drained = false;
                async Task Caller()
                {
                    for (int i = 0; i < 2; i++)
                    {
                        if (!gate.TryEnter())
                        {
                            return;
                        }

                        Specification.Assert(!Volatile.Read(ref drained), "a call entered after the gate drained");
                        Interlocked.Increment(ref inside);
                        await Task.Yield();
                        Interlocked.Decrement(ref inside);
                        gate.Exit();
                    }
                }

                Task[] callers = [Task.Run(Caller), Task.Run(Caller), Task.Run(async () =>
                {
                    await Task.Yield();
                    await gate.Close();
                    Volatile.Write(ref drained, true);
                    Specification.Assert(Volatile.Read(ref inside) == 0, "the gate drained while a call was inside");
                })];
                await Task.WhenAll(callers);
            },
            output);
    }

    /// <summary>The harness can fail: a gate that completes its drain without counting is caught.</summary>
    [Fact]
    public void Coyote_BrokenGate_ThatIgnoresCallsInside_IsCaught()
    {
        CoyoteRun.ExpectBug(
            async () =>
            {
                int inside = 0;
                bool closed = false;
                Task Caller() => Task.Run(async () =>
                {
                    if (Volatile.Read(ref closed))
                    {
                        return;
                    }

                    Interlocked.Increment(ref inside);
                    await Task.Yield();
                    Interlocked.Decrement(ref inside);
                });

                Task[] all = [Caller(), Task.Run(() =>
                {
                    Volatile.Write(ref closed, true); // broken: does not wait for the calls inside
                    Specification.Assert(Volatile.Read(ref inside) == 0, "the gate drained while a call was inside");
                })];
                await Task.WhenAll(all);
            },
            output);
    }
}
