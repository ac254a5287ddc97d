using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ThreadSafe.Testing.Browser.Tests;

/// <summary>The HTML report that a failing <see cref="LinearizabilitySpec{TSut, TModel}"/> writes, opened in a real headless browser.</summary>
public sealed class FailureReportBrowserTests(ITestOutputHelper output)
{
    [BrowserFact]
    public async Task FailingSpec_Report_ShowsALanePerThreadTheSequentialCallsTheStuckCallAndTheFailureTable()
    {
        // Get reads one more than the increments after the first, whatever the interleaving: the verdict is fixed.
        var spec = new LinearizabilitySpec<OffByOneCounter, int>(() => new OffByOneCounter(), () => 0)
            .Operation("Inc", c => c.Increment(), m => (m + 1, m + 1))
            .Operation("Get", c => c.Value, m => (m, m));
        var scenario = new Scenario(
            [Invocation.Of("Inc")],
            [[Invocation.Of("Inc"), Invocation.Of("Get")], [Invocation.Of("Get")]],
            [Invocation.Of("Get")]);
        string directory = Path.Combine(AppContext.BaseDirectory, "reports");
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => spec.CheckScenario(scenario, new LinearizabilityOptions { RunsPerScenario = 1, MaxShrinkAttempts = 0, ReportDirectory = directory }));
        Assert.NotNull(ex.ReportPath);

        await using BrowserSession session = await BrowserSession.OpenAsync(ex.ReportPath);
        IPage page = session.Page;
        Assert.Equal("Not linearizable", await page.Locator("#verdict").TextContentAsync());
        Assert.Equal(["sequential", "Thread 0", "Thread 1"], await page.Locator(".lane").AllTextContentsAsync());
        Assert.Equal(scenario.Count, await page.Locator(".call").CountAsync());
        Assert.Equal(1, await page.Locator(".call.stuck").CountAsync());
        Assert.True(await page.Locator(".call.lin").CountAsync() >= 1);
        string notes = (await page.Locator("#notes").TextContentAsync())!;
        Assert.Contains("Not linearizable (stress mode, real threads)", notes, StringComparison.Ordinal);
        Assert.Contains("| Thread 0", notes, StringComparison.Ordinal);

        // Every bar is visible, and its lane is the thread that made the call.
        foreach (ILocator bar in await page.Locator(".call").AllAsync())
        {
            LocatorBoundingBoxResult box = (await bar.BoundingBoxAsync())!;
            Assert.True(box.Width >= 10 && box.Height >= 10, $"bar {box.X},{box.Y} {box.Width}x{box.Height}");
        }

        await page.Locator(".call.lin").First.HoverAsync();
        Assert.Contains("state after:", await page.Locator("#info").TextContentAsync(), StringComparison.Ordinal);
        await page.Locator(".call.stuck").HoverAsync();
        Assert.Contains("stuck", await page.Locator("#info").TextContentAsync(), StringComparison.Ordinal);

        string png = Path.ChangeExtension(ex.ReportPath, ".png");
        await page.ScreenshotAsync(new() { Path = png, FullPage = true });
        output.WriteLine($"report: {ex.ReportPath}{Environment.NewLine}screenshot: {png}");
        Assert.Empty(session.Errors);
        Assert.DoesNotContain(session.Requests, r => !r.StartsWith("file:", StringComparison.Ordinal));
    }

    /// <summary>Broken without any race: its value reads one more than the increments, after the first.</summary>
    private sealed class OffByOneCounter
    {
        private int _value;

        public int Value => Volatile.Read(ref _value) is int v && v > 0 ? v + 1 : v;

        public int Increment() => Interlocked.Increment(ref _value);
    }
}
