using System.Diagnostics;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Sqlite.Tests;

/// <summary>
/// Property: a process killed with SIGKILL at a random moment loses no acknowledged write. A child process (the
/// CrashChild project) writes rows as fast as 8 submitters can, printing the id of each write whose task completed; this
/// test kills it at a random moment, then reopens the file: every printed id is there exactly once, and the database
/// passes <c>PRAGMA integrity_check</c>. 3 kills by default, 20 with THREADSAFE_STRESS=1.
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(SqliteSynchronousMode.Full)]
    public async Task KilledWithSigkill_AtRandomMoments_EveryAcknowledgedWriteIsPresentExactlyOnce_AndTheDatabaseIsIntact(SqliteSynchronousMode mode)
    {
        Assert.Equal(SqliteSynchronousMode.Full, mode); // the child uses the defaults (FULL); a process kill is survived by NORMAL too
        int kills = Environment.GetEnvironmentVariable("THREADSAFE_STRESS") == "1" ? 20 : 3;
        int seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}, {kills} kills");
        string path = _temp.File("crash.db");
        var acknowledged = new HashSet<long>();

        for (int run = 0; run < kills; run++)
        {
            int delayMs = random.Next(50, 1_500);
            HashSet<long> acked = await RunAndKillAsync(path, firstId: (run + 1) * 10_000_000L, delayMs);
            output.WriteLine($"run {run}: killed {delayMs} ms after ready, {acked.Count} acknowledged writes");
            acknowledged.UnionWith(acked);

            // Reopen after every kill (recovery of the WAL happens here), as the next child will.
            using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            Assert.Equal("ok", TempFolder.Scalar(connection, "PRAGMA integrity_check;"));
            var present = new Dictionary<long, long>();
            using (SqliteCommand select = connection.CreateCommand())
            {
                select.CommandText = "SELECT id, COUNT(*) FROM acked GROUP BY id;";
                using SqliteDataReader reader = select.ExecuteReader();
                while (reader.Read())
                {
                    present[reader.GetInt64(0)] = reader.GetInt64(1);
                }
            }

            long[] missing = [.. acknowledged.Where(id => !present.ContainsKey(id)).Take(10)];
            Assert.True(missing.Length == 0, $"acknowledged writes missing after kill {run}: {string.Join(", ", missing)}");
            long[] twice = [.. present.Where(p => p.Value > 1).Select(p => p.Key).Take(10)];
            Assert.True(twice.Length == 0, $"writes present more than once after kill {run}: {string.Join(", ", twice)}");
        }

        Assert.True(acknowledged.Count > 0, "no child ever acknowledged a write: the test proved nothing");
    }

    private static async Task<HashSet<long>> RunAndKillAsync(string path, long firstId, int delayMs)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ChildPath());
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(firstId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using Process child = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash child");
        var acked = new HashSet<long>();
        Task reading = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                // A line cut by the kill is incomplete: it never ended with a newline, so ReadLine returns it only at EOF.
                if (long.TryParse(line, out long id))
                {
                    acked.Add(id);
                }
            }
        });

        var errors = new System.Text.StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        child.ErrorDataReceived += (_, e) =>
        {
            if (e.Data == "ready")
            {
                ready.TrySetResult();
            }
            else if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        child.BeginErrorReadLine();
        Task started = await Task.WhenAny(ready.Task, Task.Delay(TimeSpan.FromMinutes(2)));
        if (started != ready.Task)
        {
            child.Kill();
            lock (errors)
            {
                Assert.Fail($"the crash child did not start within 2 minutes: {errors}");
            }
        }

        await Task.Delay(delayMs);
        child.Kill(); // SIGKILL on Unix: no finally blocks, no ProcessExit, no flush
        await child.WaitForExitAsync().WaitAsync(TestLimits.Wait);
        await reading.WaitAsync(TestLimits.Wait);
        return acked;
    }

    // The child runs from its own output folder, where its assemblies are not rewritten by Coyote.
    private static string ChildPath()
    {
        string configuration = typeof(CrashSafetyTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string tests = AppContext.BaseDirectory; // tests/ThreadSafe.Sqlite.Tests/bin/<configuration>/net10.0/
        string path = Path.GetFullPath(Path.Combine(tests, "..", "..", "..", "..", "ThreadSafe.Sqlite.CrashChild", "bin", configuration, "net10.0", "ThreadSafe.Sqlite.CrashChild.dll"));
        Assert.True(File.Exists(path), $"the crash child was not built at {path}");
        return path;
    }
}
