using Microsoft.Coyote.Specifications;
using ThreadSafe.Diagnostics;
using ThreadSafe.Tests.Diagnostics;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>
/// Two flows take two guards in opposite orders under every explored schedule. With lock-order checking on, no schedule
/// deadlocks: exactly one flow gets <see cref="LockOrderException"/>. With it off, Coyote finds the deadlock (the control).
/// </summary>
[Collection(LockOrderCollection.Name)]
public sealed class LockOrderCoyoteTests(ITestOutputHelper output) : LockOrderTestBase
{
    private const uint Iterations = 300;

    private static async Task OppositeOrders(Action<Action> outerA, Action<Action> outerB, Action innerA, Action innerB, bool expectOneRefusal)
    {
        LockOrder.Reset();
        int refused = 0;
        Task first = Task.Run(() =>
        {
            try
            {
                outerA(innerB);
            }
            catch (LockOrderException)
            {
                Interlocked.Increment(ref refused);
            }
        });
        Task second = Task.Run(() =>
        {
            try
            {
                outerB(innerA);
            }
            catch (LockOrderException)
            {
                Interlocked.Increment(ref refused);
            }
        });
        await Task.WhenAll(new[] { first, second });
        if (expectOneRefusal)
        {
            Specification.Assert(refused == 1, $"Expected exactly one flow refused, saw {refused}.");
        }
    }

    [Fact]
    public void Guarded_OppositeOrders_CheckingOn_NeverDeadlocks_OneFlowRefused()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        CoyoteRun.ExpectNoBug(
            () =>
            {
                var a = new Guarded<int>(0, name: "a");
                var b = new Guarded<int>(0, name: "b");
                return OppositeOrders(
                    inner => a.Write(_ => inner()), inner => b.Write(_ => inner()),
                    () => a.Write(v => v + 1), () => b.Write(v => v + 1), expectOneRefusal: true);
            },
            output,
            Iterations);
    }

    [Fact]
    public void Guarded_OppositeOrders_CheckingOff_CoyoteFindsTheDeadlock()
    {
        LockOrder.Disable();
        CoyoteRun.ExpectBug(
            () =>
            {
                var a = new Guarded<int>(0);
                var b = new Guarded<int>(0);
                return OppositeOrders(
                    inner => a.Write(_ => inner()), inner => b.Write(_ => inner()),
                    () => a.Write(v => v + 1), () => b.Write(v => v + 1), expectOneRefusal: false);
            },
            output,
            Iterations);
    }

    [Fact]
    public void MixedReadWriteAndGuarded_OppositeOrders_CheckingOn_NeverDeadlocks()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        CoyoteRun.ExpectNoBug(
            () =>
            {
                var a = new ReadWriteGuarded<int>(0, name: "rw");
                var b = new Guarded<int>(0, name: "g");
                return OppositeOrders(
                    inner => a.Read(_ => { inner(); return 0; }), inner => b.Write(_ => inner()),
                    () => a.Write(v => v + 1), () => b.Write(v => v + 1), expectOneRefusal: true);
            },
            output,
            Iterations);
    }

    [Fact]
    public void AsyncGuarded_OppositeOrdersAcrossAwait_CheckingOn_NeverDeadlocks_OneFlowRefused()
    {
        LockOrder.Enable(LockOrderMode.Throw);
        CoyoteRun.ExpectNoBug(() => AsyncOppositeOrders(expectOneRefusal: true), output, Iterations);
    }

    [Fact]
    public void AsyncGuarded_OppositeOrdersAcrossAwait_CheckingOff_CoyoteFindsTheDeadlock()
    {
        LockOrder.Disable();
        CoyoteRun.ExpectBug(() => AsyncOppositeOrders(expectOneRefusal: false), output, Iterations);
    }

    private static async Task AsyncOppositeOrders(bool expectOneRefusal)
    {
        LockOrder.Reset();
        var a = new AsyncGuarded<int>(0, name: "a");
        var b = new AsyncGuarded<int>(0, name: "b");
        int refused = 0;

        async Task Nest(AsyncGuarded<int> outer, AsyncGuarded<int> inner)
        {
            try
            {
                await outer.WriteAsync(async (_, ct) =>
                {
                    await Task.Yield();
                    await inner.WriteAsync(async (_, ct2) => await Task.Yield(), ct);
                });
            }
            catch (LockOrderException)
            {
                Interlocked.Increment(ref refused);
            }
        }

        Task first = Task.Run(() => Nest(a, b));
        Task second = Task.Run(() => Nest(b, a));
        await Task.WhenAll(new[] { first, second });
        if (expectOneRefusal)
        {
            Specification.Assert(refused == 1, $"Expected exactly one flow refused, saw {refused}.");
        }
    }
}
