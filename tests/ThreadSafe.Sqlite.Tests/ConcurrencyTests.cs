using Microsoft.Data.Sqlite;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Sqlite.Tests;

public sealed class ConcurrencyTests : IDisposable
{
    private static readonly bool Stress = Environment.GetEnvironmentVariable("THREADSAFE_STRESS") == "1";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Property: with many submitters and readers at once, every acknowledged write is committed exactly once, every
    /// read started after an acknowledgement sees it, and no call ever fails with SQLITE_BUSY/LOCKED.</summary>
    [Fact]
    public async Task ManySubmittersAndReaders_EveryAcknowledgedWriteCommittedOnce_ReadsSeeThem_NoBusyErrors()
    {
        int submitters = 16, perSubmitter = Stress ? 2_000 : 150, readers = 8;
        int busyErrors = 0, staleReads = 0, reads = 0;
        SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { Synchronous = SqliteSynchronousMode.Normal, ReadConnections = 4 });
        long[] acknowledged = new long[submitters];
        using var writersDone = new CancellationTokenSource();

        Task[] writerTasks = [.. Enumerable.Range(0, submitters).Select(s => Task.Run(async () =>
        {
            for (int i = 0; i < perSubmitter; i++)
            {
                long id = (s * 1_000_000L) + i;
                try
                {
                    if (i % 3 == 0)
                    {
                        db.Write(c => TempFolder.Insert(c, id));
                    }
                    else
                    {
                        await db.WriteAsync(c => TempFolder.Insert(c, id));
                    }

                    Volatile.Write(ref acknowledged[s], i + 1);
                }
                catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
                {
                    Interlocked.Increment(ref busyErrors);
                }
            }
        }))];
        Task[] readerTasks = [.. Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
        {
            while (!writersDone.IsCancellationRequested)
            {
                int s = r % submitters;
                long before = Volatile.Read(ref acknowledged[s]);
                try
                {
                    long seen = await db.ReadAsync(c => TempFolder.Count(c, $"id >= {s * 1_000_000L} AND id < {(s + 1) * 1_000_000L}"));
                    Interlocked.Increment(ref reads);
                    if (seen < before)
                    {
                        Interlocked.Increment(ref staleReads);
                    }
                }
                catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
                {
                    Interlocked.Increment(ref busyErrors);
                }
            }
        }))];

        await Task.WhenAll(writerTasks).WaitAsync(TimeSpan.FromMinutes(5));
        await writersDone.CancelAsync();
        await Task.WhenAll(readerTasks).WaitAsync(TestLimits.Wait);
        await db.DisposeAsync();

        Assert.Equal(0, busyErrors);
        Assert.Equal(0, staleReads);
        Assert.True(reads > 0);
        using SqliteConnection reopened = _temp.Reopen();
        Assert.Equal((long)submitters * perSubmitter, TempFolder.Count(reopened));
        Assert.Equal((long)submitters * perSubmitter, (long)TempFolder.Scalar(reopened, "SELECT COUNT(DISTINCT id) FROM t;")!);
    }

    [Fact]
    public async Task PipelinedWrites_FromManySubmitters_KeepEachSubmittersOrder()
    {
        int submitters = 8, perSubmitter = Stress ? 20_000 : 1_000;
        await using SqliteDatabase db = SqliteDatabase.Open(_temp.File(), new SqliteDatabaseOptions { Synchronous = SqliteSynchronousMode.Normal, Capacity = 64 });
        await db.WriteAsync(c => TempFolder.Exec(c, "CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, submitter INTEGER, i INTEGER);"));

        await Task.WhenAll(Enumerable.Range(0, submitters).Select(s => Task.Run(async () =>
        {
            var pending = new Task[perSubmitter];
            for (int i = 0; i < perSubmitter; i++)
            {
                int item = i;
                pending[i] = db.WriteAsync(c => TempFolder.Exec(c, $"INSERT INTO log (submitter, i) VALUES ({s}, {item});"));
            }

            await Task.WhenAll(pending);
        }))).WaitAsync(TimeSpan.FromMinutes(5));

        long outOfOrder = await db.ReadAsync(c => (long)TempFolder.Scalar(c,
            "SELECT COUNT(*) FROM log a JOIN log b ON a.submitter = b.submitter AND a.seq < b.seq AND a.i > b.i;")!);
        Assert.Equal(0L, outOfOrder);
        Assert.Equal((long)submitters * perSubmitter, await db.ReadAsync(c => (long)TempFolder.Scalar(c, "SELECT COUNT(*) FROM log;")!));
    }
}
