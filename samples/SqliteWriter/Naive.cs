using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace SqliteWriter;

internal readonly record struct NaiveResult(double RowsPerSecond, int LockErrors, int Stalls, double P50Ms, double P99Ms, double MaxMs);

/// <summary>The naive way: every thread opens its own write connection and inserts with one transaction per row.</summary>
internal static class Naive
{
    public static NaiveResult OwnConnections(Database db, int threads, int perThread)
    {
        var latencies = new double[threads][];
        int lockErrors = 0;
        var watch = Stopwatch.StartNew();
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int thread = t;
            workers[t] = new Thread(() =>
            {
                using SqliteConnection connection = db.OpenWrite(); // default command timeout 30 s: the driver retries BUSY
                var mine = latencies[thread] = new double[perThread];
                for (int i = 0; i < perThread; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    try
                    {
                        Database.Insert(connection, thread, i);
                    }
                    catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6)
                    {
                        Interlocked.Increment(ref lockErrors);
                    }

                    mine[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            });
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            if (!worker.Join(TimeSpan.FromMinutes(5)))
            {
                throw new TimeoutException("a naive worker did not finish within 5 minutes");
            }
        }

        double seconds = watch.Elapsed.TotalSeconds;
        double[] all = [.. latencies.SelectMany(l => l).Order()];
        return new NaiveResult(
            threads * perThread / seconds,
            lockErrors,
            all.Count(ms => ms > 100),
            all[all.Length / 2],
            all[(int)(all.Length * 0.99)],
            all[^1]);
    }
}
