using Microsoft.Data.Sqlite;

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
            return allInside.Wait(TempFolder.Timeout);
        }))];

        Assert.All(await Task.WhenAll(reads), Assert.True);
    }

    [Fact]
    public async Task ReadAsync_BeyondReadConnections_WaitsForAConnection()
    {
        await using SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { ReadConnections = 1 });
        using var release = new ManualResetEventSlim();
        using var inside = new ManualResetEventSlim();
        Task<long> first = db.ReadAsync(c =>
        {
            inside.Set();
            Assert.True(release.Wait(TempFolder.Timeout));
            return TempFolder.Count(c);
        });
        Assert.True(inside.Wait(TempFolder.Timeout));

        Task<long> second = db.ReadAsync(c => TempFolder.Count(c));
        Assert.False(second.IsCompleted);
        using var cancel = new CancellationTokenSource();
        Task<long> cancelled = db.ReadAsync(c => TempFolder.Count(c), cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        release.Set();

        Assert.Equal(0L, await first);
        Assert.Equal(0L, await second);
    }

    [Fact]
    public async Task ReadAsync_RunsWhileAWriteIsInProgress_AndSeesOnlyCommittedData()
    {
        await using SqliteDatabase db = _temp.OpenWithTable();
        await db.WriteAsync(c => TempFolder.Insert(c, 1));
        using var release = new ManualResetEventSlim();
        using var inserted = new ManualResetEventSlim();
        Task slowWrite = db.WriteAsync(c =>
        {
            TempFolder.Insert(c, 2);
            inserted.Set();
            Assert.True(release.Wait(TempFolder.Timeout));
        });
        Assert.True(inserted.Wait(TempFolder.Timeout));

        long during = await db.ReadAsync(c => TempFolder.Count(c)).WaitAsync(TempFolder.Timeout);
        release.Set();
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
