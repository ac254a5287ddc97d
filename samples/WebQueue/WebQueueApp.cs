using ThreadSafe;
using ThreadSafe.Hosting;

namespace WebQueue;

/// <summary>Builds the app: POST /jobs/{id} enqueues a job, GET /health reports the queue.</summary>
public static class WebQueueApp
{
    /// <summary>Builds the app from the command line (and, for tests, extra configuration).</summary>
    /// <param name="args">Command-line arguments, e.g. <c>--WebQueue:Capacity=100</c>.</param>
    /// <param name="configure">Changes the builder before the app is built; <see langword="null"/> for none.</param>
    /// <returns>The app, not started.</returns>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        IConfiguration config = builder.Configuration;
        string unprocessedFile = config.GetValue("WebQueue:UnprocessedFile", Path.Combine(Path.GetTempPath(), "webqueue-unprocessed.txt"))!;
        builder.Services.AddSingleton(new JobLedger(unprocessedFile));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(config.GetValue("WebQueue:ShutdownMilliseconds", 5000)));
        builder.Services.AddWorkQueue<Job, JobProcessor>(options =>
        {
            options.Capacity = config.GetValue("WebQueue:Capacity", 1000);
            options.Consumers = config.GetValue("WebQueue:Consumers", 4);
            options.AbortTimeout = TimeSpan.FromSeconds(2);
            options.UnprocessedItemsSink = (jobs, services, ct) => services.GetRequiredService<JobLedger>().PersistUnprocessedAsync(jobs, ct);
        });
        builder.Services.AddHealthChecks().AddCheck<WorkQueueHealthCheck>("work-queue");

        WebApplication app = builder.Build();
        app.MapPost("/jobs/{id:int}", (int id, WorkQueue<Job> queue) =>
            queue.TryAdd(new Job(id))
                ? Results.Accepted($"/jobs/{id}")
                : Results.Problem("The queue is full or the app is stopping; retry later.", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapHealthChecks("/health");
        return app;
    }
}
