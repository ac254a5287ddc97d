using Microsoft.Data.Sqlite;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Sqlite.Tests;

public sealed class WriteTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Queues a write that blocks the writer until the returned handler is released, so the writes queued meanwhile form one batch.</summary>
    private static (Task Blocker, BlockingHandler Holder) HoldWriter(SqliteDatabase db)
    {
        var holder = new BlockingHandler();
        Task blocker = db.WriteAsync(_ => holder.Block());
        holder.WaitEntered();
        return (blocker, holder);
    }

    [Fact]
    public async Task WriteAsync_ReturnsTheResult_AndALaterReadSeesTheWrite()
    {
        await using SqliteDatabase db = _temp.OpenWithTable();

        long id = await db.WriteAsync(c =>
        {
            TempFolder.Insert(c, 7);
            return 7L;
        });

        Assert.Equal(7L, id);
        Assert.Equal(1L, await db.ReadAsync(c => TempFolder.Count(c, "id = 7")));
        Assert.Equal(1L, db.Read(c => TempFolder.Count(c, "id = 7")));
    }

    [Fact]
    public async Task WriteAsync_ThatThrows_FailsOnlyItsCaller_AndTheRestOfItsBatchCommits()
    {
        await using SqliteDatabase db = _temp.OpenWithTable();
        var (blocker, holder) = HoldWriter(db);
        Task ok1 = db.WriteAsync(c => TempFolder.Insert(c, 1));
        Task bad = db.WriteAsync(c =>
        {
            TempFolder.Insert(c, 2);
            throw new InvalidOperationException("boom");
        });
        Task invalidSql = db.WriteAsync(c => TempFolder.Exec(c, "INSERT INTO no_such_table VALUES (1);"));
        Task ok2 = db.WriteAsync(c => TempFolder.Insert(c, 3));
        holder.Release();

        await blocker;
        await ok1;
        await ok2;
        Assert.Equal("boom", (await Assert.ThrowsAsync<InvalidOperationException>(() => bad)).Message);
        Assert.Contains("no such table", (await Assert.ThrowsAsync<SqliteException>(() => invalidSql)).Message, StringComparison.Ordinal);
        Assert.Equal(2L, await db.ReadAsync(c => TempFolder.Count(c)));
        Assert.Equal(0L, await db.ReadAsync(c => TempFolder.Count(c, "id = 2")));
    }

    [Theory]
    [InlineData("COMMIT;")]
    [InlineData("END;")]
    [InlineData("ROLLBACK;")]
    [InlineData("BEGIN;")]
    [InlineData("BEGIN IMMEDIATE;")]
    [InlineData("RELEASE threadsafe_write;")]
    [InlineData("ROLLBACK TO threadsafe_write;")]
    public async Task WriteAsync_ThatControlsTheTransaction_IsRefusedWithAClearError_AndItsBatchStillCommits(string sql)
    {
        await using SqliteDatabase db = _temp.OpenWithTable();
        var (blocker, holder) = HoldWriter(db);
        Task ok1 = db.WriteAsync(c => TempFolder.Insert(c, 1));
        Task bad = db.WriteAsync(c =>
        {
            TempFolder.Insert(c, 2);
            TempFolder.Exec(c, sql);
        });
        Task ok2 = db.WriteAsync(c => TempFolder.Insert(c, 3));
        holder.Release();

        await blocker;
        await ok1;
        await ok2;
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Contains("must not begin, commit or roll back", error.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(error.InnerException);
        Assert.Equal("1,3", await db.ReadAsync(c => Ids(c)));
    }

    [Fact]
    public async Task WriteAsync_UsingBeginTransaction_IsRefusedWithAClearError()
    {
        await using SqliteDatabase db = _temp.OpenWithTable();

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.WriteAsync(c =>
        {
            using SqliteTransaction transaction = c.BeginTransaction();
            TempFolder.Insert(c, 1);
            transaction.Commit();
        }));

        Assert.Contains("BEGIN", error.Message, StringComparison.Ordinal);
        await db.WriteAsync(c => TempFolder.Insert(c, 2));
        Assert.Equal("2", await db.ReadAsync(c => Ids(c)));
    }

    [Fact]
    public async Task WriteAsync_WithItsOwnSavepoint_IsAllowed()
    {
        await using SqliteDatabase db = _temp.OpenWithTable();

        await db.WriteAsync(c =>
        {
            TempFolder.Insert(c, 1);
            TempFolder.Exec(c, "SAVEPOINT mine;");
            TempFolder.Insert(c, 2);
            TempFolder.Exec(c, "ROLLBACK TO mine; RELEASE mine;");
            TempFolder.Insert(c, 3);
        });

        Assert.Equal("1,3", await db.ReadAsync(c => Ids(c)));
    }

    [Fact]
    public async Task WriteAsync_ThatClosesTheConnection_FailsItsBatch_AndTheNextBatchWorks()
    {
        await using SqliteDatabase db = _temp.OpenWithTable();
        var (blocker, holder) = HoldWriter(db);
        Task before = db.WriteAsync(c => TempFolder.Insert(c, 1));
        Task closer = db.WriteAsync(c => c.Close());
        holder.Release();

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => closer);
        Assert.Contains("closed the write connection", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => before); // its batch was rolled back by the close
        await blocker; // a batch of its own, committed before

        await db.WriteAsync(c => TempFolder.Insert(c, 2));
        Assert.Equal("2", await db.ReadAsync(c => Ids(c)));
        Assert.Equal("wal", await db.WriteAsync(c => (string)TempFolder.Scalar(c, "PRAGMA journal_mode;")!));
        Assert.Equal(1L, await db.WriteAsync(c => (long)TempFolder.Scalar(c, "PRAGMA foreign_keys;")!));
    }

    [Fact]
    public async Task WriteAsync_FromInsideAWrite_RunsInline_AndAFailingInnerWriteIsUndoneAlone()
    {
        await using SqliteDatabase db = _temp.OpenWithTable();

        int seen = await db.WriteAsync(c =>
        {
            TempFolder.Insert(c, 1);
            Task<int> inner = db.WriteAsync(inner =>
            {
                TempFolder.Insert(inner, 2);
                return 2;
            });
            Assert.True(inner.IsCompletedSuccessfully, "an inner write runs inline, at once");
            Task failing = db.WriteAsync(inner =>
            {
                TempFolder.Insert(inner, 3);
                throw new InvalidOperationException("inner");
            });
            Assert.True(failing.IsFaulted);
            db.Write(inner => TempFolder.Insert(inner, 4));
            db.Post(inner => TempFolder.Insert(inner, 5));
            return inner.Result;
        });

        Assert.Equal(2, seen);
        Assert.Equal("1,2,4,5", await db.ReadAsync(c => Ids(c)));
    }

    [Fact]
    public async Task Post_ErrorsGoToOnError_AndGoodPostsCommit()
    {
        var errors = new List<Exception>();
        using var reported = new SemaphoreSlim(0);
        await using SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions
        {
            OnError = ex =>
            {
                lock (errors)
                {
                    errors.Add(ex);
                }

                reported.Release();
            },
        });

        db.Post(c => TempFolder.Insert(c, 1));
        db.Post(_ => throw new InvalidOperationException("posted"));
        db.Post(c => TempFolder.Exec(c, "COMMIT;"));
        db.Post(c => TempFolder.Insert(c, 2));
        await db.WriteAsync(_ => { }); // queued after the posts: they have committed when this is acknowledged

        Assert.True(await reported.WaitAsync(TestLimits.Wait));
        Assert.True(await reported.WaitAsync(TestLimits.Wait));
        lock (errors)
        {
            Assert.Contains(errors, e => e.Message == "posted");
            Assert.Contains(errors, e => e.Message.Contains("must not begin, commit", StringComparison.Ordinal));
        }

        Assert.Equal("1,2", await db.ReadAsync(c => Ids(c)));
    }

    [Fact]
    public async Task WriteAsync_CancelledBeforeItStarts_IsCancelled_AndNeverRuns()
    {
        await using SqliteDatabase db = _temp.OpenWithTable();
        var (blocker, holder) = HoldWriter(db);
        using var cancel = new CancellationTokenSource();
        bool ran = false;
        Task cancelled = db.WriteAsync(c => ran = true, cancel.Token);
        cancel.Cancel();
        holder.Release();

        await blocker;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await db.WriteAsync(_ => { });
        Assert.False(ran);
        Assert.ThrowsAny<OperationCanceledException>(() => db.Write(_ => { }, cancel.Token));
    }

    [Fact]
    public async Task AsyncDelegates_AreRefused_WithAnArgumentException()
    {
        await using SqliteDatabase db = _temp.OpenWithTable();

        Assert.Equal("write", Assert.Throws<ArgumentException>(() => { _ = db.WriteAsync(async c => await Task.Yield()); }).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentException>(() =>
        {
            _ = db.WriteAsync(async c =>
            {
                await Task.Yield();
                return 1;
            });
        }).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentException>(() => { _ = db.WriteAsync(c => Task.FromResult(1)); }).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentException>(() => db.Post(async c => await Task.Yield())).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentException>(() => db.Write((Action<SqliteConnection>)(async c => await Task.Yield()))).ParamName);
        Assert.Equal("read", Assert.Throws<ArgumentException>(() =>
        {
            _ = db.ReadAsync(async c =>
            {
                await Task.Yield();
                return 1;
            });
        }).ParamName);
        Assert.Equal("read", Assert.Throws<ArgumentException>(() => { _ = db.Read(c => new ValueTask<int>(1)); }).ParamName);
        Assert.Contains("async delegate", Assert.Throws<ArgumentException>(() => { _ = db.WriteAsync(c => Task.CompletedTask); }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NullDelegates_ThrowArgumentNullException()
    {
        await using SqliteDatabase db = _temp.OpenWithTable();

        Assert.Throws<ArgumentNullException>(() => { _ = db.WriteAsync((Func<SqliteConnection, int>)null!); });
        Assert.Throws<ArgumentNullException>(() => { _ = db.WriteAsync((Action<SqliteConnection>)null!); });
        Assert.Throws<ArgumentNullException>(() => db.Post(null!));
        Assert.Throws<ArgumentNullException>(() => { _ = db.ReadAsync<int>(null!); });
        Assert.Throws<ArgumentNullException>(() => db.Read<int>(null!));
    }

    internal static string Ids(SqliteConnection connection)
    {
        using SqliteCommand select = connection.CreateCommand();
        select.CommandText = "SELECT id FROM t ORDER BY id;";
        using SqliteDataReader reader = select.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return string.Join(",", ids);
    }
}
