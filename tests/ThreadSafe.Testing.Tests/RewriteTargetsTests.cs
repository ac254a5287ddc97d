using System.Xml.Linq;

namespace ThreadSafe.Testing.Tests;

/// <summary>The package's rewriting targets and systematic mode's guard agree on what is tooling, and the targets are packed.</summary>
public sealed class RewriteTargetsTests
{
    private static readonly string Repository = FindRepository();

    [Fact]
    public void ToolingPattern_OfTheTargets_EqualsTheGuards()
    {
        XDocument targets = XDocument.Load(Path.Combine(Repository, "src/ThreadSafe.Testing/buildTransitive/ThreadSafe.Testing.targets"));
        string pattern = targets.Descendants("ThreadSafeRewriteToolingPattern").Single().Value;
        Assert.Equal(RewriteGuard.ToolingPattern, pattern);
    }

    [Theory]
    [InlineData("xunit.core.dll", true)]
    [InlineData("Microsoft.Coyote.Test.dll", true)]
    [InlineData("FsCheck.dll", true)]
    [InlineData("FSharp.Core.dll", true)]
    [InlineData("ThreadSafe.dll", false)]
    [InlineData("ThreadSafe.Testing.dll", false)]
    [InlineData("Microsoft.Extensions.ObjectPool.dll", false)]
    [InlineData("MyCompany.Xunit.Helpers.dll", false)]
    public void ToolingPattern_MatchesTestToolsOnly(string fileName, bool tooling) =>
        Assert.Equal(tooling, RewriteGuard.IsTooling(fileName));

    [Fact]
    public void Package_PacksTheTargetsUnderBuildTransitive()
    {
        XDocument project = XDocument.Load(Path.Combine(Repository, "src/ThreadSafe.Testing/ThreadSafe.Testing.csproj"));
        Assert.Contains(
            project.Descendants("None"),
            e => (string?)e.Attribute("Include") == "buildTransitive/ThreadSafe.Testing.targets"
                && (string?)e.Attribute("Pack") == "true"
                && (string?)e.Attribute("PackagePath") == "buildTransitive/");
    }

    private static string FindRepository()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "ThreadSafe.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (ThreadSafe.sln) was not found above " + AppContext.BaseDirectory);
    }
}
