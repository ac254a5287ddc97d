using Microsoft.Playwright;
using ThreadSafe.Testing.Histories;
using ThreadSafe.Testing.Tests.Histories;
using Xunit.Abstractions;

namespace ThreadSafe.Testing.Browser.Tests;

/// <summary>The HTML report of a check, opened in a real headless browser with no network.</summary>
public sealed class HtmlReportBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(2);

    [BrowserFact]
    public async Task WriteHtml_FailingRegister_ShowsOneLanePerClientTheStuckCallAndStatesOnHover()
    {
        List<Operation<RegisterInput, int?>> history = JepsenLikeHistories.Generate(1, keys: 1, callsPerKey: 80, clients: 6, StoreFault.StaleRead);
        LinearizabilityResult result = Linearizability.Check(Register.Model, history, Budget);
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        string html = WriteReport(result, "register-stale-read");

        await using BrowserSession session = await BrowserSession.OpenAsync(html);
        IPage page = session.Page;
        Assert.Equal("Not linearizable", await page.Locator("#verdict").TextContentAsync());
        int clients = history.Select(o => o.ClientId).Distinct().Count();
        Assert.Equal(clients, await page.Locator(".lane").CountAsync());
        Assert.Equal(history.Count, await page.Locator(".call").CountAsync());
        Assert.Equal(history.Count(o => o.Return is null), await page.Locator(".call.pending").CountAsync());
        Assert.Equal(1, await page.Locator(".call.stuck").CountAsync());

        // Every bar lies inside the timeline and has a visible width.
        IReadOnlyList<ILocator> bars = await page.Locator(".call").AllAsync();
        foreach (ILocator bar in bars.Take(20))
        {
            LocatorBoundingBoxResult box = (await bar.BoundingBoxAsync())!;
            Assert.True(box.Width >= 10 && box.Height >= 10, $"bar {box.X},{box.Y} {box.Width}x{box.Height}");
        }

        // Hover: the information panel shows the call and the model state after it, or why it is stuck.
        await page.Locator(".call.lin").First.HoverAsync();
        string? info = await page.Locator("#info").TextContentAsync();
        Assert.Contains("state after:", info, StringComparison.Ordinal);
        await page.Locator(".call.stuck").ScrollIntoViewIfNeededAsync();
        await page.Locator(".call.stuck").HoverAsync();
        Assert.Contains("stuck", await page.Locator("#info").TextContentAsync(), StringComparison.Ordinal);

        string png = Path.ChangeExtension(html, ".png");
        await page.ScreenshotAsync(new() { Path = png });
        output.WriteLine($"screenshot: {png}");
        Assert.Empty(session.Errors);
        Assert.DoesNotContain(session.Requests, r => !r.StartsWith("file:", StringComparison.Ordinal));
    }

    [BrowserFact]
    public async Task WriteHtml_ThreeThousandCallsOf20Keys_IsUnderFiveMegabytesAndRendersEveryCall()
    {
        List<Operation<RegisterInput, int?>> history = JepsenLikeHistories.Generate(2, keys: 20, callsPerKey: 150, clients: 30, StoreFault.LostWrite);
        Assert.Equal(3000, history.Count);
        LinearizabilityResult result = Linearizability.Check(Register.PartitionedByKey, history, Budget);
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, result.Verdict);
        string html = WriteReport(result, "kv-3000");
        long bytes = new FileInfo(html).Length;
        output.WriteLine($"report of 3000 calls: {bytes:N0} bytes");
        Assert.True(bytes < 5_000_000, $"{bytes} bytes");

        await using BrowserSession session = await BrowserSession.OpenAsync(html);
        Assert.Equal(3000, await session.Page.Locator(".call").CountAsync());
        Assert.True(await session.Page.Locator("details.part[open]").CountAsync() >= 1);
        await session.Page.ScreenshotAsync(new() { Path = Path.ChangeExtension(html, ".png") });
        Assert.Empty(session.Errors);
    }

    private static string WriteReport(LinearizabilityResult result, string name)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "reports");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name + ".html");
        result.WriteHtml(path);
        return path;
    }
}
