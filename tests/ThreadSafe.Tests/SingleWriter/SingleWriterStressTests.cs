using System.Diagnostics;
using ThreadSafe.Testing;
using ThreadSafe.Tests.Shared;
using Xunit.Abstractions;

namespace ThreadSafe.Tests;

/// <summary>Real-thread stress of <see cref="SingleWriter{TResource}"/> with group commit, failing writes and cancellations.</summary>
public sealed class SingleWriterStressTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1024, false)]
    [InlineData(8, true)]
    public async Task ManySubmitters_PipelinedWrites_EveryAcknowledgedWriteCommittedOnceInSubmissionOrder(int capacity, bool oddSubmittersPost)
    {
        const int Submitters = 16;
        int perSubmitter = TestLimits.Stress ? 50_000 : capacity >= 1024 ? 10_000 : 2_500;
        var db = new FakeDb();
        int reported = 0;
        SingleWriterOptions<FakeDb> options = FakeDb.Transactional(
            maxBatchSize: 64, name: "stress-writer", capacity: capacity, onError: _ => Interlocked.Increment(ref reported));
        var writer = new SingleWriter<FakeDb>(() => db, options);
        var outcomes = new Task[Submitters][];
        var stopwatch = Stopwatch.StartNew();

        Concurrently.Run(
            submitter => outcomes[submitter] = oddSubmittersPost && submitter % 2 == 1 ? Post(writer, submitter, perSubmitter) : Submit(writer, submitter, perSubmitter),
            new ConcurrentRunOptions { Threads = Submitters, Timeout = TestLimits.StressRun, ThreadName = "submitter" });

        Task all = Task.WhenAll(outcomes.SelectMany(o => o));
        await all.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TestLimits.StressRun);
        await writer.CompleteAsync().WaitAsync(TestLimits.StressRun);
        stopwatch.Stop();

        List<(int Submitter, int Seq)> committed = db.Committed();
        var lastSeq = new int[Submitters];
        Array.Fill(lastSeq, -1);
        var seen = new HashSet<(int, int)>();
        foreach ((int submitter, int seq) in committed)
        {
            Assert.True(seen.Add((submitter, seq)), $"write {submitter}/{seq} committed twice");
            Assert.True(seq > lastSeq[submitter], $"submitter {submitter}: {seq} committed after {lastSeq[submitter]}");
            lastSeq[submitter] = seq;
        }

        int acknowledged = 0, failed = 0, cancelled = 0;
        for (int s = 0; s < Submitters; s++)
        {
            for (int i = 0; i < perSubmitter; i++)
            {
                Task t = outcomes[s][i];
                Assert.True(t.IsCompleted);
                if (t.IsCompletedSuccessfully)
                {
                    acknowledged++;
                    Assert.Contains((s, i), seen);
                }
                else
                {
                    _ = t.IsCanceled ? cancelled++ : failed++;
                    Assert.DoesNotContain((s, i), seen);
                    Assert.True(t.IsCanceled || i % 13 == 0, $"write {s}/{i} failed unexpectedly: {t.Exception}");
                }
            }
        }

        Assert.Equal(acknowledged, committed.Count);
        Assert.Equal(oddSubmittersPost ? (Submitters / 2) * ((perSubmitter + 12) / 13) : 0, reported);
        Assert.True(failed > 0 && acknowledged > 0);
        Assert.Equal(1, db.MaxConcurrentUsers);
        output.WriteLine(
            $"{Submitters} x {perSubmitter} writes in {stopwatch.ElapsedMilliseconds} ms: {acknowledged} acknowledged, " +
            $"{failed} failed (rolled back alone), {cancelled} cancelled, {db.Batches} batches, capacity {capacity}");
    }

    // Fire and forget: blocks while the queue is full; every 13th write throws (reported to OnError, rolled back).
    // Returns the outcome each write must have once the writer completed, as tasks for the common check.
    private static Task[] Post(SingleWriter<FakeDb> writer, int submitter, int count)
    {
        var tasks = new Task[count];
        for (int i = 0; i < count; i++)
        {
            int seq = i;
            if (seq % 13 == 0)
            {
                writer.Post(db =>
                {
                    db.Insert(submitter, seq);
                    throw new InvalidOperationException("rolled back");
                });
                tasks[i] = Task.FromException(new InvalidOperationException("rolled back"));
            }
            else
            {
                writer.Post(db => db.Insert(submitter, seq));
                tasks[i] = Task.CompletedTask;
            }
        }

        return tasks;
    }

    // Pipelines writes: ExecuteAsync without awaiting (back pressure bounds the queue), every 13th throws, every 50th is
    // submitted with a token cancelled right away (it may or may not have started: both outcomes are checked).
    private static Task[] Submit(SingleWriter<FakeDb> writer, int submitter, int count)
    {
        var tasks = new Task[count];
        for (int i = 0; i < count; i++)
        {
            int seq = i;
            if (seq % 13 == 0)
            {
                tasks[i] = writer.ExecuteAsync(db =>
                {
                    db.Insert(submitter, seq);
                    throw new InvalidOperationException("rolled back");
                });
            }
            else if (seq % 50 == 1)
            {
                using var cts = new CancellationTokenSource();
                tasks[i] = writer.ExecuteAsync(db => db.Insert(submitter, seq), cts.Token);
                cts.Cancel();
            }
            else
            {
                tasks[i] = writer.ExecuteAsync(db => db.Insert(submitter, seq));
            }
        }

        return tasks;
    }
}
