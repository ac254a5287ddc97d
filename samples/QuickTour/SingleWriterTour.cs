using ThreadSafe;

namespace QuickTour;

/// <summary>SingleWriter&lt;TResource&gt;: one thread owns the resource; any thread submits writes and awaits their results.</summary>
internal static class SingleWriterTour
{
    public static string Run()
    {
        const int Threads = 8, PerThread = 2_000;
        var committed = new List<(int Thread, int Seq)>(); // touched only by the writer thread: no lock needed
        int batches = 0;
        var options = new SingleWriterOptions<List<(int, int)>>
        {
            Name = "tour-writer",
            MaxBatchSize = 64,
            CommitBatch = _ => batches++, // a real resource would COMMIT here; callers are acknowledged after it
        };
        var writer = new SingleWriter<List<(int, int)>>(() => committed, options);

        Check.RunThreads(Threads, t =>
        {
            var pending = new Task[PerThread];
            for (int i = 0; i < PerThread; i++)
            {
                int seq = i;
                pending[i] = writer.ExecuteAsync(list => list.Add((t, seq))); // queued in order, never overtaking
            }

            Check.That(Task.WaitAll(pending, TimeSpan.FromSeconds(60)), "writes were not acknowledged in time");
        });

        int fromInside = writer.Execute(list => writer.Execute(inner => inner.Count)); // re-entrant: runs inline
        Check.That(writer.CompleteAsync().Wait(TimeSpan.FromSeconds(60)), "the writer did not complete");

        Check.That(committed.Count == Threads * PerThread, $"expected {Threads * PerThread} writes, found {committed.Count}");
        Check.That(fromInside == committed.Count, "the inline call did not see the writes before it");
        for (int t = 0; t < Threads; t++)
        {
            int[] seqs = [.. committed.Where(w => w.Thread == t).Select(w => w.Seq)];
            Check.That(seqs.SequenceEqual(Enumerable.Range(0, PerThread)), $"thread {t}'s writes are out of order");
        }

        return $"{Threads} threads x {PerThread:N0} writes on one writer thread, in order, in {batches:N0} batches";
    }
}
