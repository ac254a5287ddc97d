using Microsoft.Coyote.Specifications;
using ThreadSafe.Tests.ReadWriteGuarded;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>
/// Systematic schedule exploration of <see cref="ReadWriteGuarded{T}"/>. The mutual-exclusion and
/// writer-preference scenarios also run against <see cref="BrokenReadWriteGate"/>, where Coyote must find
/// the bug: the same scenario code can fail. <c>Task.WhenAll</c> always gets an array: Coyote does not
/// intercept the span overload that a collection expression would bind to on .NET 10.
/// </summary>
public sealed class ReadWriteGuardedCoyoteTests(ITestOutputHelper output)
{
    /// <summary>The part of the guard the shared scenarios use.</summary>
    private interface IRwGuard
    {
        bool HasWriter { get; }

        TResult Read<TResult>(Func<Pair, TResult> read);

        void Write(Action<Pair> write);
    }

    [Fact]
    public void WriteAndRead_Concurrent_NoReaderSeesAHalfWrittenValue() =>
        CoyoteRun.ExpectNoBug(() => MutualExclusion(new Real()), output);

    [Fact]
    public void BrokenGate_ReaderSkipsWriterCheck_MutualExclusionBugIsCaught() =>
        CoyoteRun.ExpectBug(() => MutualExclusion(new Broken()), output);

    [Fact]
    public void Read_ArrivingWhileWriterWaits_RunsAfterTheWrite() =>
        CoyoteRun.ExpectNoBug(() => WriterPreference(new Real()), output);

    [Fact]
    public void BrokenGate_ReaderSkipsWriterCheck_WriterPreferenceBugIsCaught() =>
        CoyoteRun.ExpectBug(() => WriterPreference(new Broken()), output);

    [Fact]
    public void Read_TwoReaders_AreInsideAtTheSameTime()
    {
        // Each reader waits, inside its delegate, for the other to be inside. Exclusive reads deadlock,
        // and Coyote reports a deadlock as a bug.
        CoyoteRun.ExpectNoBug(() => ReadersMeetInside(new ReadWriteGuarded<int>(0).Read), output);
    }

    [Fact]
    public void ExclusiveLock_TwoReadersMeetInside_DeadlockIsCaught()
    {
        // The same handshake on Guarded<T>, whose reads are exclusive: proves the test above can fail.
        CoyoteRun.ExpectBug(() => ReadersMeetInside(new Guarded<int>(0).Read), output);
    }

    [Fact]
    public void SnapshotAndUpdate_Concurrent_SnapshotNeverTorn()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guard = new ReadWriteGuarded<Pair>(new Pair(), copy: p =>
                {
                    int a = p.A;
                    Thread.Yield();
                    return new Pair { A = a, B = p.B };
                });
                Task writer = Task.Run(() => guard.Update(1, static (p, d) =>
                {
                    p.A += d;
                    Thread.Yield();
                    p.B += d;
                    return p;
                }));
                Task[] readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
                {
                    Pair copy = guard.Snapshot();
                    Specification.Assert(copy.A == copy.B, $"Torn snapshot: A={copy.A}, B={copy.B}.");
                })).ToArray();
                await Task.WhenAll(readers.Append(writer).ToArray());
                Specification.Assert(guard.Read(static p => p.A == 1 && p.B == 1), "The update was lost.");
            },
            output);
    }

    [Fact]
    public void TryWrite_GivesUpWhileReaderInside_WaitingReadersStillGetIn()
    {
        // A writer that gives up must hand WriterBit back and wake the readers it held off; a forgotten
        // wake-up leaves the late reader parked forever, which Coyote reports as a deadlock.
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guard = new ReadWriteGuarded<Pair>(new Pair());
                var r1In = new SemaphoreSlim(0);
                var releaseR1 = new SemaphoreSlim(0);
                Task r1 = Task.Run(() => guard.Read(_ =>
                {
                    r1In.Release();
                    releaseR1.Wait();
                    return 0;
                }));
                await r1In.WaitAsync();
                Task<bool> writer = Task.Run(() => guard.TryWrite(static p => p.A = 1, TimeSpan.Zero));
                Task<int> r2 = Task.Run(() => guard.Read(static p => p.A));
                bool wrote = await writer;
                Specification.Assert(!wrote, "TryWrite got in while a reader was inside.");
                releaseR1.Release();
                await Task.WhenAll(new Task[] { r1, r2 });
                Specification.Assert(r2.Result == 0, "A write happened although TryWrite gave up.");
                Specification.Assert(!guard.Gate.HasWriter && guard.Gate.ReaderCount == 0, "The lock was not left free.");
            },
            output);
    }

    [Fact]
    public void AnyMember_CalledFromInsideItsOwnDelegate_ThrowsAndNeverDeadlocks()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var guard = new ReadWriteGuarded<Pair>(new Pair(), copy: static p => p.Clone());
                Task<bool> upgrade = Task.Run(() => guard.Read(p => Throws(() => guard.Write(static q => q.A++))));
                Task<bool> readInRead = Task.Run(() => guard.Read(_ => Throws(() => guard.Read(static q => q.A))));
                Task<bool> readInWrite = Task.Run(() => guard.Write(_ => Throws(() => guard.Snapshot())));
                Task<bool> writeInWrite = Task.Run(() => guard.Write(_ => Throws(() => guard.TryWrite(static q => q.A++, TimeSpan.Zero))));
                bool[] threw = await Task.WhenAll(new[] { upgrade, readInRead, readInWrite, writeInWrite });
                Specification.Assert(threw.All(t => t), $"Recursion not detected: {string.Join(", ", threw)}.");
                Specification.Assert(guard.Read(static p => p.A) == 0, "A recursive call ran its delegate.");
                Specification.Assert(!guard.Gate.HasWriter && guard.Gate.ReaderCount == 0, "The lock was not left free.");
            },
            output);

        static bool Throws(Action inner)
        {
            try
            {
                inner();
                return false;
            }
            catch (LockRecursionException)
            {
                return true;
            }
        }
    }

    // Two writers and two readers; a write changes two fields with a scheduling point in between, so a
    // reader inside at the same time would see A != B.
    private static async Task MutualExclusion(IRwGuard guard)
    {
        Task[] writers = Enumerable.Range(0, 2).Select(_ => Task.Run(() => guard.Write(static p =>
        {
            p.A++;
            Thread.Yield();
            p.B++;
        }))).ToArray();
        Task[] readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            (int a, int b) = guard.Read(static p =>
            {
                int a = p.A;
                Thread.Yield();
                return (a, p.B);
            });
            Specification.Assert(a == b, $"A reader saw a half-written value: A={a}, B={b}.");
        })).ToArray();
        await Task.WhenAll(writers.Concat(readers).ToArray());
        (int finalA, int finalB) = guard.Read(static p => (p.A, p.B));
        Specification.Assert(finalA == 2 && finalB == 2, $"Lost a write: A={finalA}, B={finalB}.");
    }

    // R1 holds the read lock; W asks for the write lock; R2 reads. A reader that saw a writer waiting or
    // writing before it asked must see that writer's write: new readers queue behind a waiting writer,
    // so readers arriving in a stream cannot keep it out.
    private static async Task WriterPreference(IRwGuard guard)
    {
        var r1In = new SemaphoreSlim(0);
        var releaseR1 = new SemaphoreSlim(0);
        Task r1 = Task.Run(() => guard.Read(_ =>
        {
            r1In.Release();
            releaseR1.Wait();
            return 0;
        }));
        await r1In.WaitAsync();
        Task writer = Task.Run(() => guard.Write(static p => p.A = 1));
        Task r2 = Task.Run(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                bool writerAnnounced = guard.HasWriter;
                int seen = guard.Read(static p => p.A);
                Specification.Assert(!writerAnnounced || seen == 1, "A reader got in ahead of a waiting writer.");
            }
        });
        await Task.Yield();
        releaseR1.Release();
        await Task.WhenAll(new[] { r1, writer, r2 });
    }

    private static async Task ReadersMeetInside(Func<Func<int, int>, int> read)
    {
        var aIn = new SemaphoreSlim(0);
        var bIn = new SemaphoreSlim(0);
        Task a = Task.Run(() => read(_ =>
        {
            aIn.Release();
            bIn.Wait();
            return 0;
        }));
        Task b = Task.Run(() => read(_ =>
        {
            bIn.Release();
            aIn.Wait();
            return 0;
        }));
        await Task.WhenAll(new[] { a, b });
    }

    private sealed class Real : IRwGuard
    {
        private readonly ReadWriteGuarded<Pair> _guard = new(new Pair());

        public bool HasWriter => _guard.Gate.HasWriter;

        public TResult Read<TResult>(Func<Pair, TResult> read) => _guard.Read(read);

        public void Write(Action<Pair> write) => _guard.Write(write);
    }

    private sealed class Broken : IRwGuard
    {
        private readonly BrokenReadWriteGate _gate = new();
        private readonly Pair _value = new();

        public bool HasWriter => _gate.HasWriter;

        public TResult Read<TResult>(Func<Pair, TResult> read)
        {
            _gate.EnterRead();
            try
            {
                return read(_value);
            }
            finally
            {
                _gate.ExitRead();
            }
        }

        public void Write(Action<Pair> write)
        {
            _gate.EnterWrite();
            try
            {
                write(_value);
            }
            finally
            {
                _gate.ExitWrite();
            }
        }
    }
}
