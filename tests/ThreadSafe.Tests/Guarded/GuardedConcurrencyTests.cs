using System.Security.Cryptography;
using ThreadSafe.Testing;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.Guarded;

/// <summary>Real-thread tests: bounded loops, a timeout on every wait, no sleeps as synchronization.</summary>
public sealed class GuardedConcurrencyTests
{
    private sealed class Counter
    {
        public long Value;
    }

    [Fact]
    public void Write_ManyThreads_CounterIsExact()
    {
        const int Threads = 8, PerThread = 50_000;
        var guarded = new Guarded<Counter>(new Counter());
        RunTogether(Threads, _ =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                guarded.Write(static c => c.Value++);
            }
        });
        Assert.Equal(Threads * PerThread, guarded.Read(static c => c.Value));
    }

    [Fact]
    public void MixedMembers_ManyThreads_CounterIsExact()
    {
        const int Threads = 6, PerThread = 20_000;
        var guarded = new Guarded<Counter>(new Counter());
        RunTogether(Threads, t =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                switch ((t + i) % 3)
                {
                    case 0: guarded.Write(1L, static (c, d) => c.Value += d); break;
                    case 1: guarded.Write(static c => ++c.Value); break;
                    default: Assert.True(guarded.TryWrite(static c => c.Value++, TestLimits.Wait)); break;
                }
            }
        });
        Assert.Equal(Threads * PerThread, guarded.Read(static c => c.Value));
    }

    [Fact]
    public void DataHasher_TenThreads_GiveSameBytesAsTenSequentialHashes()
    {
        byte[] seed = "ThreadSafe"u8.ToArray();

        byte[] expected = seed;
        for (int i = 0; i < 10; i++)
        {
            expected = HashHex(expected);
        }

        var hasher = new Guarded<byte[]>(seed, copy: b => (byte[])b.Clone());
        RunTogether(10, _ => hasher.Update(HashHex));

        Assert.Equal(expected, hasher.Snapshot());
    }

    private static byte[] HashHex(byte[] data) => System.Text.Encoding.ASCII.GetBytes(Convert.ToHexString(SHA512.HashData(data)));

    private static void RunTogether(int count, Action<int> body) =>
        Concurrently.Run(body, new ConcurrentRunOptions { Threads = count, Timeout = TestLimits.StressRun, ThreadName = "worker" });
}
