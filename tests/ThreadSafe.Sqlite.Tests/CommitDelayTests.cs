namespace ThreadSafe.Sqlite.Tests;

public sealed class CommitDelayTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task MaxCommitDelay_WithManyAwaitingSubmitters_CommitsEveryWrite_AndGathersLargerBatches()
    {
        const int Submitters = 8, PerSubmitter = 40;
        await using SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { MaxCommitDelay = TimeSpan.FromMilliseconds(5) });
        Assert.Equal(TimeSpan.FromMilliseconds(5), db.MaxCommitDelay);

        await Task.WhenAll(Enumerable.Range(0, Submitters).Select(s => Task.Run(async () =>
        {
            for (int i = 0; i < PerSubmitter; i++)
            {
                long id = (s * 1000L) + i;
                await db.WriteAsync(c => TempFolder.Insert(c, id));
                Assert.Equal(1L, await db.ReadAsync(c => TempFolder.Count(c, $"id = {id}"))); // acknowledged means committed
            }
        }))).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal((long)Submitters * PerSubmitter, await db.ReadAsync(c => TempFolder.Count(c)));
    }

    [Fact]
    public async Task MaxCommitDelay_ALoneWriter_IsNotDelayed()
    {
        await using SqliteDatabase db = _temp.OpenWithTable(new SqliteDatabaseOptions { MaxCommitDelay = TimeSpan.FromSeconds(20) });

        // With one caller awaiting each write, no write waits for the (huge) delay: the test would time out otherwise.
        for (int i = 0; i < 5; i++)
        {
            int id = i;
            await db.WriteAsync(c => TempFolder.Insert(c, id)).WaitAsync(TimeSpan.FromSeconds(15));
        }

        Assert.Equal(5L, await db.ReadAsync(c => TempFolder.Count(c)));
    }
}
