// Crash-safety helper: args <database path> <first id> [submitters]. Opens the database, then 8 submitters (by default)
// write rows with ids first, first+1, ... as fast as they can, each awaiting its write; the id of every write whose task
// completed (acknowledged = committed) is printed on its own line. The parent kills this process with SIGKILL at a
// random moment and checks that every printed id is in the database exactly once.
using ThreadSafe.Sqlite;

if (args.Length < 2 || !long.TryParse(args[1], out long first))
{
    Console.Error.WriteLine("usage: CrashChild <database path> <first id> [submitters]");
    return 2;
}

int submitters = args.Length > 2 && int.TryParse(args[2], out int n) && n > 0 ? n : 8;
await using SqliteDatabase database = SqliteDatabase.Open(args[0]);
await database.WriteAsync(c =>
{
    using var create = c.CreateCommand();
    create.CommandText = "CREATE TABLE IF NOT EXISTS acked (id INTEGER NOT NULL, payload TEXT NOT NULL);";
    create.ExecuteNonQuery();
});

var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
object outputLock = new(); // guards output
long next = first - 1;
Console.Error.WriteLine("ready");
await Task.WhenAll(Enumerable.Range(0, submitters).Select(_ => Task.Run(async () =>
{
    while (true)
    {
        long id = Interlocked.Increment(ref next);
        await database.WriteAsync(c =>
        {
            using var insert = c.CreateCommand();
            insert.CommandText = "INSERT INTO acked (id, payload) VALUES ($id, $payload);";
            insert.Parameters.AddWithValue("$id", id);
            insert.Parameters.AddWithValue("$payload", new string('x', 100));
            insert.ExecuteNonQuery();
        });
        lock (outputLock)
        {
            output.WriteLine(id);
            output.Flush(); // the id reaches the pipe only after its write was acknowledged
        }
    }
})));
return 0;
