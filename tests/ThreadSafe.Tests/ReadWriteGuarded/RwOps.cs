using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.ReadWriteGuarded;

/// <summary>A mutable two-field value: a reader that sees A != B saw a half-finished write.</summary>
internal sealed class Pair
{
    public int A;
    public int B;

    /// <summary>Runs from inside the copy function, so Snapshot can act as an outer call too.</summary>
    public Action? OnCopy;

    public Pair Clone()
    {
        OnCopy?.Invoke();
        return new Pair { A = A, B = B };
    }
}

/// <summary>
/// Every member of <see cref="ReadWriteGuarded{T}"/> as a named operation, so tests can try each member
/// as the outer call (running a body inside its delegate) and each as the inner call.
/// </summary>
internal static class RwOps
{
    /// <summary>Creates a guard on a fresh <see cref="Pair"/>, with a copy function.</summary>
    public static ReadWriteGuarded<Pair> NewGuard() => new(new Pair(), copy: p => p.Clone());

    /// <summary>Each member, running <c>body</c> inside its delegate.</summary>
    public static readonly IReadOnlyDictionary<string, Action<ReadWriteGuarded<Pair>, Action>> Outer =
        new Dictionary<string, Action<ReadWriteGuarded<Pair>, Action>>
        {
            ["Read"] = (g, body) => g.Read(p => { body(); return p.A; }),
            ["ReadState"] = (g, body) => g.Read(body, static (p, b) => { b(); return p.A; }),
            ["TryRead"] = (g, body) => Assert.True(g.TryRead(p => { body(); return p.A; }, TestLimits.Wait, out _)),
            ["Snapshot"] = (g, body) =>
            {
                g.Write(p => p.OnCopy = body);
                try
                {
                    g.Snapshot();
                }
                finally
                {
                    g.Write(p => p.OnCopy = null);
                }
            },
            ["Write"] = (g, body) => g.Write(_ => body()),
            ["WriteState"] = (g, body) => g.Write(body, static (_, b) => b()),
            ["WriteResult"] = (g, body) => g.Write(p => { body(); return p.A; }),
            ["WriteStateResult"] = (g, body) => g.Write(body, static (p, b) => { b(); return p.A; }),
            ["Update"] = (g, body) => g.Update(p => { body(); return p; }),
            ["UpdateState"] = (g, body) => g.Update(body, static (p, b) => { b(); return p; }),
            ["TryWrite"] = (g, body) => Assert.True(g.TryWrite(_ => body(), TestLimits.Wait)),
        };

    /// <summary>Each member, called plainly.</summary>
    public static readonly IReadOnlyDictionary<string, Action<ReadWriteGuarded<Pair>>> Inner =
        new Dictionary<string, Action<ReadWriteGuarded<Pair>>>
        {
            ["Read"] = g => g.Read(p => p.A),
            ["ReadState"] = g => g.Read(1, static (p, s) => p.A + s),
            ["TryRead"] = g => g.TryRead(p => p.A, TimeSpan.Zero, out _),
            ["Snapshot"] = g => g.Snapshot(),
            ["Write"] = g => g.Write(p => p.A++),
            ["WriteState"] = g => g.Write(1, static (p, s) => p.A += s),
            ["WriteResult"] = g => g.Write(p => ++p.A),
            ["WriteStateResult"] = g => g.Write(1, static (p, s) => p.A += s),
            ["Update"] = g => g.Update(p => p),
            ["UpdateState"] = g => g.Update(1, static (p, _) => p),
            ["TryWrite"] = g => g.TryWrite(p => p.A++, TimeSpan.Zero),
        };

    public static TheoryData<string> OuterNames() => [.. Outer.Keys];

    public static TheoryData<string, string> AllPairs()
    {
        var data = new TheoryData<string, string>();
        foreach (string outer in Outer.Keys)
        {
            foreach (string inner in Inner.Keys)
            {
                data.Add(outer, inner);
            }
        }

        return data;
    }

    /// <summary>Asserts the lock is completely free: nobody inside, nobody waiting, and a writer on another thread gets in at once.</summary>
    public static void AssertFree(ReadWriteGuarded<Pair> guard)
    {
        Assert.Equal(0, guard.Gate.ReaderCount);
        Assert.False(guard.Gate.HasWriter);
        bool wrote = false;
        TestThread.JoinAll(TestThread.Start(() => wrote = guard.TryWrite(static _ => { }, TimeSpan.Zero)));
        Assert.True(wrote, "a writer on another thread could not get in: the lock was not released");

        // And this thread's record of held instances was cleaned: no false recursion on the next call.
        guard.Write(static _ => { });
        guard.Read(static _ => 0);
    }
}
