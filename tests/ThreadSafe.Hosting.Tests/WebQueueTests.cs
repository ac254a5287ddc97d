using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WebQueue;

namespace ThreadSafe.Hosting.Tests;

/// <summary>samples/WebQueue on a real Kestrel on a free port: requests enqueue jobs, and the host stops mid-stream.</summary>
public sealed class WebQueueTests
{
    private static readonly TimeSpan Limit = Probe.Limit;

    private static WebApplication BuildApp(string unprocessedFile, int shutdownMilliseconds) =>
        WebQueueApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0"); // a free port, chosen by the OS
            builder.Logging.ClearProviders();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["WebQueue:UnprocessedFile"] = unprocessedFile,
                ["WebQueue:WorkMilliseconds"] = "100", // slow work, so the stop always finds jobs waiting
                ["WebQueue:Capacity"] = "200",
                ["WebQueue:Consumers"] = "1",
                ["WebQueue:ShutdownMilliseconds"] = shutdownMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        });

    [Fact]
    public async Task StopMidStream_EveryAcceptedRequestIsProcessedOrPersistedByTheSink_NeverBoth()
    {
        string file = Path.Combine(Path.GetTempPath(), $"webqueue-{Guid.NewGuid():N}.txt");
        try
        {
            WebApplication app = BuildApp(file, shutdownMilliseconds: 300);
            await using (app)
            {
                await app.StartAsync().WaitAsync(Limit);
                using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Limit };
                var accepted = new ConcurrentQueue<int>();
                var attempted = new ConcurrentQueue<int>();
                var enoughAccepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using var stopSending = new CancellationTokenSource();

                Task[] clients = [.. Enumerable.Range(0, 4).Select(c => Task.Run(() => SendAsync(client, c, accepted, attempted, enoughAccepted, stopSending.Token)))];
                await enoughAccepted.Task.WaitAsync(Limit);
                await app.StopAsync().WaitAsync(Limit); // mid-stream: clients are still sending
                await stopSending.CancelAsync();
                await Task.WhenAll(clients).WaitAsync(Limit);

                JobLedger ledger = app.Services.GetRequiredService<JobLedger>();
                int[] processed = [.. ledger.Processed];
                IReadOnlyList<int> sunk = ledger.ReadUnprocessed();
                Assert.Empty(processed.Intersect(sunk));
                Assert.Subset(attempted.ToHashSet(), processed.Concat(sunk).ToHashSet()); // nothing was invented
                Assert.Subset(processed.Concat(sunk).ToHashSet(), accepted.ToHashSet()); // nothing accepted was lost
                Assert.NotEmpty(sunk); // the stop came mid-stream: the drain could not finish in 300 ms
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task HealthEndpoint_ReportsTheQueue()
    {
        string file = Path.Combine(Path.GetTempPath(), $"webqueue-{Guid.NewGuid():N}.txt");
        WebApplication app = BuildApp(file, shutdownMilliseconds: 5000);
        await using (app)
        {
            await app.StartAsync().WaitAsync(Limit);
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Limit };
            using HttpResponseMessage health = await client.GetAsync(new Uri("/health", UriKind.Relative)).WaitAsync(Limit);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
            using HttpResponseMessage posted = await client.PostAsync(new Uri("/jobs/7", UriKind.Relative), null).WaitAsync(Limit);
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
            await app.StopAsync().WaitAsync(Limit);
            Assert.Equal(new[] { 7 }, app.Services.GetRequiredService<JobLedger>().Processed.AsEnumerable());
        }

        File.Delete(file);
    }

    // Posts jobs c*100000, c*100000+1, ... until told to stop or the server is gone; records the ids answered 202.
    private static async Task SendAsync(
        HttpClient client, int c, ConcurrentQueue<int> accepted, ConcurrentQueue<int> attempted, TaskCompletionSource enoughAccepted, CancellationToken stop)
    {
        for (int i = 0; i < 100_000 && !stop.IsCancellationRequested; i++)
        {
            int id = (c * 100_000) + i;
            attempted.Enqueue(id);
            try
            {
                using HttpResponseMessage response = await client.PostAsync(new Uri($"/jobs/{id}", UriKind.Relative), null, stop);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    accepted.Enqueue(id);
                    if (accepted.Count >= 150)
                    {
                        enoughAccepted.TrySetResult();
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                return; // the server stopped listening, or the test is over
            }
        }
    }
}
