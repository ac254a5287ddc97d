using Microsoft.Coyote.Specifications;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>Systematic exploration of the commit delay of <see cref="SingleWriter{TResource}"/> (group commit that waits for more writes).</summary>
/// <remarks>The delay is a <c>Task.Delay</c>, which Coyote's rewriting turns into a controlled scheduling point.</remarks>
public sealed class SingleWriterCommitDelayCoyoteTests(ITestOutputHelper output)
{
    private sealed class Journal
    {
        private readonly HashSet<int> _pending = [];

        public HashSet<int> Committed { get; } = [];

        public int Writes { get; private set; }

        public void Write(int id)
        {
            Specification.Assert(!Committed.Contains(id) && _pending.Add(id), $"write {id} ran twice");
            Writes++;
        }

        public void Commit()
        {
            Committed.UnionWith(_pending);
            _pending.Clear();
        }
    }

    // A writer of the journal on a task, with a 10 ms commit delay (Coyote's controlled time makes it a scheduling choice).
    private static SingleWriter<Journal> DelayedWriter(Journal journal, int maxBatchSize) => new(
        () => journal,
        new SingleWriterOptions<Journal>
        {
            RunWriterLoopAsTask = true,
            MaxBatchSize = maxBatchSize,
            MaxCommitDelay = TimeSpan.FromMilliseconds(10),
            CommitBatch = j => j.Commit(),
        });

    [Fact]
    public void MaxCommitDelay_SubmittersRacingTheDelay_NothingLostNorAcknowledgedBeforeItsCommit()
    {
        int delays = 0, joined = 0;
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var journal = new Journal();
                SingleWriter<Journal> writer = DelayedWriter(journal, maxBatchSize: 3);
                Task[] submitters = [.. Enumerable.Range(0, 3).Select(s => Task.Run(async () =>
                {
                    for (int i = 0; i < 2; i++)
                    {
                        int id = (s * 10) + i;
                        await writer.ExecuteAsync(j => j.Write(id));
                        Specification.Assert(journal.Committed.Contains(id), $"write {id} was acknowledged before its batch committed");
                    }
                }))];
                foreach (Task submitter in submitters)
                {
                    await submitter;
                }

                await writer.CompleteAsync();
                Specification.Assert(journal.Writes == 6 && journal.Committed.Count == 6, $"{journal.Writes} writes ran, {journal.Committed.Count} committed, expected 6");
                Interlocked.Add(ref delays, writer.CommitDelays);
                Interlocked.Add(ref joined, writer.WritesJoinedDuringCommitDelays);
            },
            output,
            iterations: 300);

        output.WriteLine($"{delays} commit delays, {joined} writes joined a batch during a delay");
        Assert.True(delays > 0, "no schedule ever delayed a commit: the delay was not explored");
        Assert.True(joined > 0, "no schedule had a write join a batch during a delay: the delay was not explored");
    }

    [Fact]
    public void MaxCommitDelay_CompleteAsyncRacingTheDelay_RunsAndCommitsEveryAcceptedWrite()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var journal = new Journal();
                SingleWriter<Journal> writer = DelayedWriter(journal, maxBatchSize: 4);
                Task<bool>[] submitters = [.. Enumerable.Range(0, 3).Select(s => Task.Run(async () =>
                {
                    try
                    {
                        await writer.ExecuteAsync(j => j.Write(s));
                        Specification.Assert(journal.Committed.Contains(s), $"write {s} was acknowledged before its batch committed");
                        return true;
                    }
                    catch (InvalidOperationException)
                    {
                        return false; // refused: the writer was already completing
                    }
                }))];
                Task completer = Task.Run(async () => await writer.CompleteAsync());
                int accepted = 0;
                foreach (Task<bool> submitter in submitters)
                {
                    accepted += await submitter ? 1 : 0;
                }

                await completer;
                Specification.Assert(journal.Writes == accepted && journal.Committed.Count == accepted, $"{accepted} acknowledged, {journal.Writes} ran, {journal.Committed.Count} committed");
            },
            output,
            iterations: 300);
    }
}
