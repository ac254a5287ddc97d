using Microsoft.Data.Sqlite;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Sqlite.Tests;

public sealed class ReadTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("INSERT INTO t (id, v) VALUES (1, 'x');")]
    [InlineData("CREATE TABLE other (x INTEGER);")]
    public async Task ReadAsync_ThatTriesToWrite_FailsWithAClearError(string sql)
    {
        await using SqliteDatabase db = _temp.OpenWithTable();

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.ReadAsync(c => TempFolder.Exec(c, sql)));

        Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
        Assert.Contains("WriteAsync", error.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(error.InnerException);
        Assert.Throws<InvalidOperationException>(() => db.Read(c => TempFolder.Exec(c, sql)));
        Assert.Equal(0L, await db.ReadAsync(c => TempFolder.Count(c)));
    }

    [Fact]
    public async Task ReadAsync_RunsInParallel_UpToReadConnections()
    {
        const int Readers = 4;
        await using SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { ReadConnections = Readers });
        using var allInside = new CountdownEvent(Readers);

        // Each read waits until all four are inside at once: this completes only if they run in parallel.
        Task<bool>[] reads = [.. Enumerable.Range(0, Readers).Select(_ => db.ReadAsync(c =>
        {
            TempFolder.Count(c);
            allInside.Signal();
            return allInside.Wait(TestLimits.Wait);
        }))];

        Assert.All(await Task.WhenAll(reads), Assert.True);
    }

    [Fact]
    public async Task ReadAsync_BeyondReadConnections_WaitsForAConnection()
    {
        await using SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { ReadConnections = 1 });
        var holder = new BlockingHandler();
        Task<long> first = db.ReadAsync(c =>
        {
            holder.Block();
            return TempFolder.Count(c);
        });
        await holder.WaitEnteredAsync();

        Task<long> second = db.ReadAsync(c => TempFolder.Count(c));
        Assert.False(second.IsCompleted);
        using var cancel = new CancellationTokenSource();
        Task<long> cancelled = db.ReadAsync(c => TempFolder.Count(c), cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        holder.Release();

        Assert.Equal(0L, await first);
        Assert.Equal(0L, await second);
    }

    [Fact]
    public async Task ReadAsync_ThatNeverReturns_KeepsItsConnection_OthersReadOnTheRest_AndShutdownWaitsForIt()
    {
        await using SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { ReadConnections = 2 });
        var stuck = new BlockingHandler();
        var second = new BlockingHandler();
        try
        {
            using var stuckToken = new CancellationTokenSource();
            Task<long> stuckRead = db.ReadAsync(c => { stuck.Block(); return TempFolder.Count(c); }, stuckToken.Token);
            await stuck.WaitEnteredAsync();
            await stuckToken.CancelAsync(); // a started read runs to completion: its token no longer stops it

            // The other connection serves every other read, one after another, synchronous or not.
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(0L, await Poll.Within(db.ReadAsync(c => TempFolder.Count(c)), "a read beside the one that never returns"));
            }

            Assert.Equal(0L, db.Read(c => TempFolder.Count(c)));

            // With that one busy too, the pool is exhausted: a further read waits, and its token takes it out of the wait.
            Task<long> secondRead = db.ReadAsync(c => { second.Block(); return TempFolder.Count(c); });
            await second.WaitEnteredAsync();
            bool ran = false;
            using var waitToken = new CancellationTokenSource();
            Task<int> waiting = db.ReadAsync(_ => { ran = true; return 1; }, waitToken.Token);
            Assert.False(waiting.IsCompleted);
            await waitToken.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestLimits.Wait));
            Assert.False(ran);
            second.Release();
            Assert.Equal(0L, await Poll.Within(secondRead, "the second read, released"));

            // Shutdown waits for the read that never returns; its token stops the waiting, not the shutdown, which
            // refuses new calls meanwhile.
            using var stopWaiting = new CancellationTokenSource();
            Task completing = db.CompleteAsync(stopWaiting.Token);
            await Assert.ThrowsAsync<ObjectDisposedException>(() => db.ReadAsync(c => TempFolder.Count(c)));
            await stopWaiting.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => completing.WaitAsync(TestLimits.Wait));
            Assert.False(stuckRead.IsCompleted);

            stuck.Release();
            Assert.Equal(0L, await Poll.Within(stuckRead, "the read that was stuck, released"));
            await Poll.Within(db.CompleteAsync(), "the shutdown, once the stuck read returned");
        }
        finally
        {
            stuck.Release(); // a failed assertion must not leave the read (and the disposal) waiting
            second.Release();
        }
    }

    [Fact]
    public async Task ReadAsync_RunsWhileAWriteIsInProgress_AndSeesOnlyCommittedData()
    {
        await using SqliteDatabase db = _temp.OpenWithTable();
        await db.WriteAsync(c => TempFolder.Insert(c, 1));
        var holder = new BlockingHandler();
        Task slowWrite = db.WriteAsync(c =>
        {
            TempFolder.Insert(c, 2);
            holder.Block();
        });
        await holder.WaitEnteredAsync();

        long during = await db.ReadAsync(c => TempFolder.Count(c)).WaitAsync(TestLimits.Wait);
        holder.Release();
        await slowWrite;

        Assert.Equal(1L, during);
        Assert.Equal(2L, await db.ReadAsync(c => TempFolder.Count(c)));
    }

    [Fact]
    public async Task ReadAsync_ThatLeavesATransactionOrReaderOpen_DoesNotHideLaterWrites()
    {
        await using SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { ReadConnections = 1 });
        await db.WriteAsync(c => TempFolder.Insert(c, 1));

        await db.ReadAsync(c =>
        {
            TempFolder.Exec(c, "BEGIN;");
            return TempFolder.Count(c); // starts a read transaction on a snapshot and leaves it open
        });
        await db.ReadAsync(c =>
        {
            SqliteCommand select = c.CreateCommand();
            select.CommandText = "SELECT id FROM t;";
            SqliteDataReader reader = select.ExecuteReader();
            return reader.Read(); // a data reader left open also pins a snapshot
        });
        await db.WriteAsync(c => TempFolder.Insert(c, 2));

        Assert.Equal(2L, await db.ReadAsync(c => TempFolder.Count(c)));
    }

    [Fact]
    public async Task ReadAsync_ThatClosesItsConnection_DoesNotBreakLaterReads()
    {
        await using SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { ReadConnections = 1 });

        await db.ReadAsync(c =>
        {
            c.Close();
            return 0;
        });

        Assert.Equal(0L, await db.ReadAsync(c => TempFolder.Count(c)));
    }

    [Fact]
    public async Task ReadAsync_ThatThrows_FailsOnlyItsCaller()
    {
        await using SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { ReadConnections = 1 });

        await Assert.ThrowsAsync<InvalidOperationException>(() => db.ReadAsync<int>(_ => throw new InvalidOperationException("read failed")));
        await Assert.ThrowsAsync<SqliteException>(() => db.ReadAsync(c => TempFolder.Scalar(c, "SELECT * FROM no_such_table;")));

        Assert.Equal(0L, await db.ReadAsync(c => TempFolder.Count(c)));
    }

    [Fact]
    public async Task ReadAsync_CancelledBeforeTheCall_IsCancelled()
    {
        await using SqliteDatabase db = _temp.OpenWithTable();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.ReadAsync(c => 1, cancel.Token));
        Assert.Throws<OperationCanceledException>(() => db.Read(c => 1, cancel.Token));
    }
}
