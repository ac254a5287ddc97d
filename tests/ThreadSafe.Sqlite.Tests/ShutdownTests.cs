using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Sqlite.Tests;

public sealed class ShutdownTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task CompleteAsync_CommitsAcceptedWrites_Checkpoints_AndClosesEveryConnection()
    {
        SqliteDatabase db = _temp.OpenWithTable();
        for (int i = 0; i < 100; i++)
        {
            int id = i;
            db.Post(c => TempFolder.Insert(c, id));
        }

        await db.ReadAsync(c => TempFolder.Count(c));
        await db.CompleteAsync().WaitAsync(TestLimits.Wait);

        string wal = _temp.File() + "-wal";
        Assert.True(!File.Exists(wal) || new FileInfo(wal).Length == 0, "the WAL was checkpointed into the database file");
        File.Move(_temp.File(), _temp.File("moved.db")); // every connection is closed, so nothing holds the file
        using var reopened = _temp.Reopen("moved.db");
        Assert.Equal(100L, TempFolder.Count(reopened));
        Assert.Equal("ok", TempFolder.Scalar(reopened, "PRAGMA integrity_check;"));
    }

    [Fact]
    public async Task CallsAfterCompletion_ThrowObjectDisposedException()
    {
        SqliteDatabase db = _temp.OpenWithTable();
        await db.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => db.WriteAsync(c => 1));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => db.WriteAsync(_ => { }));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => db.ReadAsync(c => 1));
        Assert.Throws<ObjectDisposedException>(() => db.Write(c => 1));
        Assert.Throws<ObjectDisposedException>(() => db.Post(_ => { }));
        Assert.Throws<ObjectDisposedException>(() => db.Read(c => 1));
        await db.CompleteAsync(); // idempotent
        await db.DisposeAsync();
    }

    [Fact]
    public async Task DisposeAsync_WithWritesAndReadsInFlight_CommitsAcceptedWrites_FinishesRunningReads_AndRefusesWaitingReads()
    {
        SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { ReadConnections = 1 });
        var readHolder = new BlockingHandler();
        var writeHolder = new BlockingHandler();

        Task<long> runningRead = db.ReadAsync(c =>
        {
            readHolder.Block();
            return TempFolder.Count(c);
        });
        await readHolder.WaitEnteredAsync();
        Task<long> waitingRead = db.ReadAsync(c => TempFolder.Count(c)); // no free read connection
        Task runningWrite = db.WriteAsync(c =>
        {
            writeHolder.Block();
            TempFolder.Insert(c, 1);
        });
        await writeHolder.WaitEnteredAsync();
        Task[] queuedWrites = [.. Enumerable.Range(2, 50).Select(i => db.WriteAsync(c => TempFolder.Insert(c, i)))];

        Task disposing = db.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waitingRead).WaitAsync(TestLimits.Wait);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => db.WriteAsync(c => TempFolder.Insert(c, 1000)));
        Assert.False(disposing.IsCompleted, "disposal waits for the running read");
        readHolder.Release();
        // The read finishes before the write is let go: a read's snapshot starts at its first statement, so a write
        // released together with it could commit first and be counted.
        Assert.Equal(0L, await runningRead.WaitAsync(TestLimits.Wait));
        Assert.False(disposing.IsCompleted, "disposal waits for the running write");
        writeHolder.Release();
        await disposing.WaitAsync(TestLimits.Wait);

        await runningWrite;
        await Task.WhenAll(queuedWrites);
        using var reopened = _temp.Reopen();
        Assert.Equal(51L, TempFolder.Count(reopened));
    }

    [Fact]
    public async Task CompleteAsync_TokenStopsTheWaitOnly_TheShutdownGoesOn()
    {
        SqliteDatabase db = _temp.OpenWithTable();
        var holder = new BlockingHandler();
        Task slow = db.WriteAsync(c =>
        {
            holder.Block();
            TempFolder.Insert(c, 1);
        });
        await holder.WaitEnteredAsync();
        using var cancel = new CancellationTokenSource();

        Task waiting = db.CompleteAsync(cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Throws<ObjectDisposedException>(() => db.Post(_ => { }));
        holder.Release();
        await db.CompleteAsync().WaitAsync(TestLimits.Wait);

        await slow;
        using var reopened = _temp.Reopen();
        Assert.Equal(1L, TempFolder.Count(reopened));
    }
}
