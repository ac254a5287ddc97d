using System.Net;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using ThreadSafe.Testing.Tests.Zoo;

namespace ThreadSafe.Testing.Tests;

/// <summary>A failing check writes the HTML report of its shrunk scenario's history, and the failure names the file.</summary>
public sealed partial class FailureReportTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "threadsafe-report-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static LinearizabilitySpec<ICounter, int> CounterSpec(Func<ICounter> create) =>
        new LinearizabilitySpec<ICounter, int>(create, () => 0)
            .Operation("Inc", c => c.Increment(), m => (m + 1, m + 1))
            .Operation("Get", c => c.Value, m => (m, m));

    [Fact]
    public void CheckSystematic_LostUpdate_WritesTheShrunkScenariosHistoryAndNamesTheFile()
    {
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => CounterSpec(() => new LostUpdateCounter()).CheckSystematic(new LinearizabilityOptions { Scenarios = 5, IterationsPerScenario = 50, ReportDirectory = _directory }));

        Assert.Equal("[] | Inc() || Inc() | []", ex.Scenario?.ToString());
        string path = AssertReportWritten(ex);
        string html = File.ReadAllText(path);
        Assert.Contains("<h1 id=\"verdict\" class=\"notlinearizable\">Not linearizable</h1>", html, StringComparison.Ordinal);
        Assert.Equal(["Inc() -> 1", "Inc() -> 1"], Calls(html));
        Assert.Equal(["Thread 0", "Thread 1"], Lanes(html));
        Assert.Single(StuckCalls().Matches(html));
        Assert.Contains("systematic mode, Coyote", WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Contains("-systematic-", Path.GetFileName(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WrongResultEveryTime_WritesTheShrunkScenarioWithItsSequentialLane()
    {
        // Get is off by one whatever the interleaving, so stress mode fails on its first run; shrinking keeps a
        // prefix Inc (Get must see an increment to be off) and drops everything else.
        var spec = new LinearizabilitySpec<OffByOneCounter, int>(() => new OffByOneCounter(fromZero: false), () => 0)
            .Operation("Inc", c => c.Increment(), m => (m + 1, m + 1))
            .Operation("Get", c => c.Value, m => (m, m));
        var scenario = new Scenario(
            [Invocation.Of("Inc"), Invocation.Of("Inc")],
            [[Invocation.Of("Inc"), Invocation.Of("Get")], [Invocation.Of("Inc")]],
            [Invocation.Of("Get")]);

        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => spec.CheckScenario(scenario, new LinearizabilityOptions { RunsPerScenario = 2, ReportDirectory = _directory }));

        Assert.NotNull(ex.Scenario);
        Assert.True(ex.Scenario.Count < scenario.Count, ex.Scenario.ToString());
        string html = File.ReadAllText(AssertReportWritten(ex));
        string[] expected = [.. ex.Scenario.Prefix.Concat(ex.Scenario.Threads.SelectMany(t => t)).Concat(ex.Scenario.Suffix).Select(c => c.ToString()).Order(StringComparer.Ordinal)];
        Assert.Equal(expected, Calls(html).Select(c => c.Split(" -> ")[0]).Order(StringComparer.Ordinal));
        Assert.Contains("Thread 0", Lanes(html));
        Assert.Equal(ex.Scenario.Prefix.Count + ex.Scenario.Suffix.Count > 0, Lanes(html).Contains("sequential"));
        Assert.Contains("-stress-", Path.GetFileName(ex.ReportPath), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WriteReportOff_WritesNoFile()
    {
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => CounterSpec(() => new OffByOneCounter(fromZero: true)).CheckScenario(
                new Scenario([Invocation.Of("Get")]),
                new LinearizabilityOptions { RunsPerScenario = 1, WriteReport = false, ReportDirectory = _directory }));

        Assert.Null(ex.ReportPath);
        Assert.DoesNotContain("HTML report", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void Check_NoReportDirectory_WritesUnderTheOutputFolder()
    {
        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => CounterSpec(() => new OffByOneCounter(fromZero: true)).CheckScenario(
                new Scenario([Invocation.Of("Get")]),
                new LinearizabilityOptions { RunsPerScenario = 1 }));
        try
        {
            Assert.NotNull(ex.ReportPath);
            Assert.Equal(Path.Combine(AppContext.BaseDirectory, "linearizability-reports"), Path.GetDirectoryName(ex.ReportPath));
            Assert.True(File.Exists(ex.ReportPath));
        }
        finally
        {
            if (ex.ReportPath is not null)
            {
                File.Delete(ex.ReportPath);
            }
        }
    }

    [Fact]
    public void Check_ReportDirectoryCannotBeCreated_StillReportsTheFailureAndSaysWhy()
    {
        Directory.CreateDirectory(_directory);
        string file = Path.Combine(_directory, "a-file");
        File.WriteAllText(file, "not a directory");

        ConcurrencyTestException ex = Assert.Throws<ConcurrencyTestException>(
            () => CounterSpec(() => new OffByOneCounter(fromZero: true)).CheckScenario(
                new Scenario([Invocation.Of("Get")]),
                new LinearizabilityOptions { RunsPerScenario = 1, ReportDirectory = Path.Combine(file, "reports") }));

        Assert.Null(ex.ReportPath);
        Assert.Contains("Not linearizable", ex.Message, StringComparison.Ordinal);
        Assert.Contains("No HTML report: " + Path.Combine(file, "reports"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Property_Failing_LeavesOneReportOfFsChecksSmallestScenario()
    {
        // Only reads, each wrong: every generated scenario fails, and the smallest is one read.
        Property property = new LinearizabilitySpec<ICounter, int>(() => new OffByOneCounter(fromZero: true), () => 0)
            .Operation("Get", c => c.Value, m => (m, m))
            .Property(new LinearizabilityOptions { RunsPerScenario = 1, ReportDirectory = _directory });

        Exception ex = Assert.ThrowsAny<Exception>(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(20), property));

        string report = Assert.Single(Directory.GetFiles(_directory));
        Assert.Contains("-property-", Path.GetFileName(report), StringComparison.Ordinal);
        Assert.Contains(report, ex.Message, StringComparison.Ordinal);
        Assert.Equal(["Get() -> 1"], Calls(File.ReadAllText(report)));
    }

    [Fact]
    public void Options_BlankReportDirectory_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            "options",
            () => CounterSpec(() => new AtomicCounter()).Check(new LinearizabilityOptions { ReportDirectory = " " }));
    }

    private string AssertReportWritten(ConcurrencyTestException ex)
    {
        Assert.NotNull(ex.ReportPath);
        Assert.True(File.Exists(ex.ReportPath), ex.ReportPath);
        Assert.Equal(_directory, Path.GetDirectoryName(ex.ReportPath));
        Assert.Contains("HTML report of this history: " + ex.ReportPath, ex.Message, StringComparison.Ordinal);
        return ex.ReportPath;
    }

    // The bars' labels ("2. Inc() -> 1": its place in the longest order, then the call), decoded.
    private static string[] Calls(string html) =>
        CallBars().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();

    private static string[] Lanes(string html) =>
        LaneLabels().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();

    [GeneratedRegex("<div class=\"call [^\"]*\" style=\"[^\"]*\" title=\"[^\"]*\">(?:\\d+\\. )?([^<]*)</div>")]
    private static partial Regex CallBars();

    [GeneratedRegex("<div class=\"lane\">([^<]*)</div>")]
    private static partial Regex LaneLabels();

    [GeneratedRegex("<div class=\"call stuck")]
    private static partial Regex StuckCalls();

    /// <summary>Broken without any race: its value reads one more than the increments (from the start, or after the first).</summary>
    private sealed class OffByOneCounter(bool fromZero) : ICounter
    {
        private int _value;

        public int Value => Volatile.Read(ref _value) is int v && (fromZero || v > 0) ? v + 1 : v;

        public int Increment() => Interlocked.Increment(ref _value);
    }
}
