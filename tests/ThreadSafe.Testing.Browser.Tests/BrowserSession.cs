using Microsoft.Playwright;

namespace ThreadSafe.Testing.Browser.Tests;

/// <summary>A browser with one page on the report; collects console errors and every request the page makes.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public IPage Page { get; private set; } = null!;

    public List<string> Errors { get; } = [];

    public List<string> Requests { get; } = [];

    public static async Task<BrowserSession> OpenAsync(string html)
    {
        var session = new BrowserSession();
        session._playwright = await Playwright.CreateAsync();
        session._browser = await session._playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = HeadlessBrowser.Require(),
            Headless = true,
            Timeout = 60_000,
        });
        IBrowserContext context = await session._browser.NewContextAsync(new() { Offline = true, ViewportSize = new() { Width = 1400, Height = 900 } });
        session.Page = await context.NewPageAsync();
        session.Page.SetDefaultTimeout(30_000);
        session.Page.Console += (_, m) => { if (m.Type == "error") { session.Errors.Add(m.Text); } };
        session.Page.PageError += (_, e) => session.Errors.Add(e);
        session.Page.Request += (_, r) => session.Requests.Add(r.Url);
        await session.Page.GotoAsync(new Uri(html).AbsoluteUri);
        return session;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
