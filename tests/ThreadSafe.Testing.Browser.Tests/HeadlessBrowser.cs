namespace ThreadSafe.Testing.Browser.Tests;

/// <summary>Where Debian's chromium-headless-shell is (or <c>THREADSAFE_CHROMIUM</c> says it is).</summary>
public static class HeadlessBrowser
{
    private static readonly string[] Candidates =
    [
        "/usr/lib/chromium/chromium-headless-shell",
        "/usr/lib/chromium-headless-shell/chromium-headless-shell",
        "/usr/bin/chromium-headless-shell",
    ];

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Path =>
        Environment.GetEnvironmentVariable("THREADSAFE_CHROMIUM") is { Length: > 0 } configured
            ? configured
            : Candidates.FirstOrDefault(File.Exists);

    public static string Require() =>
        Path ?? throw new InvalidOperationException(
            "chromium-headless-shell is not installed, and in CI the report must be checked in a real browser: .ci/run installs it with apt-get.");
}
