using System.Diagnostics;
using ThreadSafe.Testing;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.ReadWriteGuarded;

/// <summary>
/// <see cref="ReadWriteGuarded{T}"/> on real threads. Every wait has a timeout and every handshake is an
/// event or a bounded spin on a condition, never a sleep; sizes grow with THREADSAFE_STRESS=1.
/// </summary>
public sealed class ReadWriteGuardedThreadTests
{
    [Fact]
    public void WriteAndRead_MixedContention_CounterExactAndNoTornRead()
    {
        int threads = TestLimits.Stress ? 8 : 4;
        int perThread = TestLimits.Size(quick: 20_000, stress: 400_000);
        var guard = new ReadWriteGuarded<Pair>(new Pair());
        int torn = 0;

        RunThreads(threads, t =>
        {
            for (int i = 0; i < perThread; i++)
            {
                switch (i % 8)
                {
                    case 0:
                        guard.Write(static p => { p.A++; p.B++; });
                        break;
                    case 4:
                        Assert.True(guard.TryWrite(static p => { p.A++; p.B++; }, TestLimits.Wait));
                        break;
                    default:
                        if (!guard.Read(static p => p.A == p.B))
                        {
                            Interlocked.Increment(ref torn);
                        }

                        break;
                }
            }
        });

        Assert.Equal(0, torn);
        Assert.Equal(threads * perThread / 4, guard.Read(static p => p.A));
        Assert.Equal(0, guard.Gate.ReaderCount);
        Assert.False(guard.Gate.HasWriter);
    }

    [Fact]
    public void Read_TwoThreads_AreInsideAtTheSameTime()
    {
        var guard = new ReadWriteGuarded<int>(0);
        using var firstIn = new ManualResetEvent(false);
        using var secondIn = new ManualResetEvent(false);
        bool firstSawSecond = false, secondSawFirst = false;

        // Each reader waits, inside its delegate, for the other to be inside: exclusive reads would time out.
        TestThread first = Start(() => guard.Read(_ => { firstIn.Set(); return firstSawSecond = secondIn.WaitOne(TestLimits.Wait); }));
        TestThread second = Start(() => guard.Read(_ => { secondIn.Set(); return secondSawFirst = firstIn.WaitOne(TestLimits.Wait); }));
        Join(first, second);

        Assert.True(firstSawSecond && secondSawFirst, "the two reads were not inside at the same time");
    }

    [Fact]
    public void Write_WhileReaderInside_WaitsThenRunsAlone()
    {
        var guard = new ReadWriteGuarded<Pair>(new Pair());
        using var readerIn = new ManualResetEvent(false);
        using var releaseReader = new ManualResetEvent(false);
        int readersDuringWrite = -1;
        bool wrote = false;

        TestThread reader = Start(() => guard.Read(_ => { readerIn.Set(); return releaseReader.WaitOne(TestLimits.Wait); }));
        Assert.True(readerIn.WaitOne(TestLimits.Wait));
        TestThread writer = Start(() => guard.Write(p => { readersDuringWrite = guard.Gate.ReaderCount; wrote = true; }));
        Poll.Until(() => guard.Gate.HasWriter, "the writer never announced itself");

        Assert.False(Volatile.Read(ref wrote), "the writer ran while a reader was inside");
        Assert.False(guard.TryWrite(_ => { }, TimeSpan.Zero), "a second writer got in beside a reader and a writer");
        releaseReader.Set();
        Join(reader, writer);

        Assert.True(wrote);
        Assert.Equal(0, readersDuringWrite);
        RwOps.AssertFree(guard);
    }

    [Fact]
    public void Read_ArrivingWhileWriterWaits_WaitsBehindTheWriter()
    {
        // Writer preference, step by step: R1 inside, W waiting for R1, then R2 arrives. R2 must not get in
        // before W (a reader-preferring lock would let it in, since only readers are inside).
        var guard = new ReadWriteGuarded<Pair>(new Pair());
        using var r1In = new ManualResetEvent(false);
        using var releaseR1 = new ManualResetEvent(false);
        int r2Saw = -1;

        TestThread r1 = Start(() => guard.Read(_ => { r1In.Set(); return releaseR1.WaitOne(TestLimits.Wait); }));
        Assert.True(r1In.WaitOne(TestLimits.Wait));
        TestThread w = Start(() => guard.Write(static p => p.A = 1));
        Poll.Until(() => guard.Gate.HasWriter, "the writer never announced itself");

        Assert.False(guard.TryRead(static p => p.A, TimeSpan.Zero, out _), "a new reader got in while a writer was waiting");
        TestThread r2 = Start(() => r2Saw = guard.Read(static p => p.A));
        Poll.Until(() => guard.Gate.WaitingCount == 1, "the late reader did not wait behind the writer");

        releaseR1.Set();
        Join(r1, w, r2);
        Assert.Equal(1, r2Saw);
    }

    [Fact]
    public void Write_SteadyStreamOfOverlappingReaders_GetsInWhileReadersStillArrive()
    {
        // Two readers relay: each stays inside until the other has entered again, so the reader count never
        // falls to zero on its own. A writer can only get in if new readers are held back once it waits;
        // each inside reader lets go when the other is parked behind the waiting writer. With reads that
        // ignore a waiting writer, the relay would run to its bound and the writer would come last.
        const int Bound = 20_000;
        var guard = new ReadWriteGuarded<Pair>(new Pair());
        long entries = 0;
        int inside = 0, finishedReaders = 0, writeDone = 0;
        int insideDuringWrite = -1, finishedAtWrite = -1;
        long entriesAtWrite = -1;

        void Reader()
        {
            for (int i = 0; i < Bound && Volatile.Read(ref writeDone) == 0; i++)
            {
                guard.Read(_ =>
                {
                    Interlocked.Increment(ref inside);
                    long mine = Interlocked.Increment(ref entries);
                    Poll.Until(
                        () => Volatile.Read(ref entries) > mine ||
                        (guard.Gate.HasWriter && guard.Gate.WaitingCount > 0) ||
                        Volatile.Read(ref writeDone) != 0,
                        "the other reader came in, or the writer waits, or it is done");

                    Interlocked.Decrement(ref inside);
                    return 0;
                });
            }

            Interlocked.Increment(ref finishedReaders);
        }

        TestThread r1 = Start(Reader);
        TestThread r2 = Start(Reader);
        TestThread writer = Start(() =>
        {
            Poll.Until(() => Volatile.Read(ref entries) >= 200, "the readers never started relaying");
            guard.Write(p =>
            {
                insideDuringWrite = Volatile.Read(ref inside);
                finishedAtWrite = Volatile.Read(ref finishedReaders);
                entriesAtWrite = Volatile.Read(ref entries);
                p.A = 1;
            });
            Volatile.Write(ref writeDone, 1);
        });
        Join(writer, r1, r2);

        Assert.Equal(0, insideDuringWrite);
        Assert.Equal(0, finishedAtWrite); // Both readers were still arriving: the writer was not starved.
        Assert.InRange(entriesAtWrite, 200, (2 * Bound) - 1);
    }

    [Fact]
    public void TryWrite_ReaderStaysInside_TimesOutAndLetsReadersInAgain()
    {
        var guard = new ReadWriteGuarded<int>(0);
        using var readerIn = new ManualResetEvent(false);
        using var releaseReader = new ManualResetEvent(false);
        TestThread reader = Start(() => guard.Read(_ => { readerIn.Set(); return releaseReader.WaitOne(TestLimits.Wait); }));
        Assert.True(readerIn.WaitOne(TestLimits.Wait));

        var clock = Stopwatch.StartNew();
        Assert.False(guard.TryWrite(_ => { }, TimeSpan.FromMilliseconds(50)));
        Assert.True(clock.ElapsedMilliseconds >= 40, $"TryWrite gave up after {clock.ElapsedMilliseconds} ms instead of waiting");
        Assert.False(guard.TryWrite(_ => { }, TimeSpan.Zero));

        // The writer that gave up no longer holds readers back.
        Assert.False(guard.Gate.HasWriter);
        Assert.True(guard.TryRead(v => v, TimeSpan.Zero, out _));
        releaseReader.Set();
        Join(reader);
        Assert.True(guard.TryWrite(_ => { }, TimeSpan.Zero));
    }

    [Fact]
    public void TryRead_WriterInside_TimesOutThenSucceedsOnceWriterLeaves()
    {
        var guard = new ReadWriteGuarded<int>(0);
        using var writerIn = new ManualResetEvent(false);
        using var releaseWriter = new ManualResetEvent(false);
        TestThread writer = Start(() => guard.Update(v => { writerIn.Set(); Assert.True(releaseWriter.WaitOne(TestLimits.Wait)); return 42; }));
        Assert.True(writerIn.WaitOne(TestLimits.Wait));

        Assert.False(guard.TryRead(v => v, TimeSpan.Zero, out int none));
        Assert.Equal(0, none);
        Assert.False(guard.TryRead(v => v, TestLimits.Absence, out _));
        Assert.False(guard.TryWrite(_ => { }, TestLimits.Absence));

        bool read = false;
        int seen = 0;
        TestThread reader = Start(() => read = guard.TryRead(v => v, TestLimits.Wait, out seen));
        Poll.Until(() => guard.Gate.WaitingCount == 1, "the timed reader did not wait");
        releaseWriter.Set();
        Join(writer, reader);
        Assert.True(read);
        Assert.Equal(42, seen);
    }

    [Fact]
    public void TryWrite_OtherWriterInside_WaitsForItThenRuns()
    {
        var guard = new ReadWriteGuarded<List<int>>([]);
        using var writerIn = new ManualResetEvent(false);
        using var releaseWriter = new ManualResetEvent(false);
        TestThread first = Start(() => guard.Write(l => { l.Add(1); writerIn.Set(); Assert.True(releaseWriter.WaitOne(TestLimits.Wait)); }));
        Assert.True(writerIn.WaitOne(TestLimits.Wait));

        Assert.False(guard.TryWrite(l => l.Add(99), TimeSpan.Zero));
        bool wrote = false;
        TestThread second = Start(() => wrote = guard.TryWrite(l => l.Add(2), TestLimits.Wait));
        Poll.Until(() => guard.Gate.WaitingCount == 1, "the second writer did not wait");
        releaseWriter.Set();
        Join(first, second);
        Assert.True(wrote);
        Assert.Equal(new[] { 1, 2 }, guard.Read(l => l.ToArray()));
    }

    private static TestThread Start(Action body) => TestThread.Start(body);

    private static void Join(params TestThread[] threads) => TestThread.JoinAll(threads);

    private static void RunThreads(int count, Action<int> body) =>
        Concurrently.Run(body, new ConcurrentRunOptions { Threads = count, Timeout = TestLimits.StressRun });
}
