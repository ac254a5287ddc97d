namespace ThreadSafe.Testing.Browser.Tests;

/// <summary>
/// A fact that needs Debian's chromium-headless-shell. Where it is missing the test is skipped, except in CI
/// (<c>CI=true</c>), where .ci/run installs it: there the test runs and fails, so the browser check can never
/// pass silently.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (HeadlessBrowser.Path is null && !HeadlessBrowser.InCi)
        {
            Skip = "chromium-headless-shell is not installed (apt-get install -y chromium-headless-shell); CI installs it and never skips.";
        }
    }
}
