using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ThreadSafe.Hosting.Tests;

/// <summary>A <see cref="SingleWriter{TResource}"/> registered with AddSingleWriter, in a real host.</summary>
public sealed class HostedSingleWriterTests
{
    private static readonly TimeSpan Limit = Probe.Limit;

    public sealed class Journal : IDisposable
    {
        public List<string> Lines { get; } = [];

        public string Prefix { get; init; } = "";

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private static IHost BuildHost(LogCapture log, Func<IServiceProvider, Journal> open, TimeSpan? shutdownTimeout = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Services.AddSingleton(new Probe());
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout ?? Limit);
        builder.Services.AddSingleWriter(open, new SingleWriterOptions<Journal> { Capacity = 16 });
        return builder.Build();
    }

    [Fact]
    public async Task StartThenStop_RunsEveryAcceptedWrite_ThenClosesTheResource()
    {
        Journal? journal = null;
        var log = new LogCapture();
        using IHost host = BuildHost(log, sp =>
        {
            Assert.NotNull(sp.GetRequiredService<Probe>()); // open can use the container
            return journal = new Journal { Prefix = "> " };
        });
        await host.StartAsync().WaitAsync(Limit);
        SingleWriter<Journal> writer = host.Services.GetRequiredService<SingleWriter<Journal>>();
        var writes = new List<Task>();
        for (int i = 0; i < 50; i++)
        {
            int n = i;
            writes.Add(writer.ExecuteAsync(j => j.Lines.Add(j.Prefix + n)));
        }

        await host.StopAsync().WaitAsync(Limit);

        await Task.WhenAll(writes).WaitAsync(Limit);
        Assert.Equal(Enumerable.Range(0, 50).Select(n => "> " + n), journal!.Lines);
        Assert.True(journal.Disposed);
        Assert.True(writer.Completion.IsCompletedSuccessfully);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.ExecuteAsync(_ => { }));
        Assert.Contains(log.At(LogLevel.Information), m => m.Contains("stopped: every accepted write ran", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StopTimesOut_WhileAWriteRuns_IsLoggedAsAnError_AndShutdownIsBounded()
    {
        using var release = new ManualResetEvent(false);
        var log = new LogCapture();
        using IHost host = BuildHost(log, _ => new Journal(), shutdownTimeout: TimeSpan.FromMilliseconds(100));
        await host.StartAsync().WaitAsync(Limit);
        SingleWriter<Journal> writer = host.Services.GetRequiredService<SingleWriter<Journal>>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task slow = writer.ExecuteAsync(_ =>
        {
            started.SetResult();
            release.WaitOne(Limit);
        });
        await started.Task.WaitAsync(Limit);

        await host.StopAsync().WaitAsync(Limit);
        Assert.Contains(log.At(LogLevel.Error), m => m.Contains("did not finish its accepted writes", StringComparison.Ordinal));

        release.Set();
        await slow.WaitAsync(Limit); // the write still ran to the end, and its caller was acknowledged
        await writer.Completion.WaitAsync(Limit);
    }

    [Fact]
    public void AddSingleWriter_NullOpen_ThrowsArgumentNullException()
    {
        var services = new ServiceCollection();
        Assert.Equal("open", Assert.Throws<ArgumentNullException>(() => services.AddSingleWriter<Journal>(null!)).ParamName);
    }
}
