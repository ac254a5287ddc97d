using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace ThreadSafe.Testing.Tests;

/// <summary>
/// What a package user gets: ThreadSafe and ThreadSafe.Testing packed to a local folder, a test project outside the
/// repository that only references the packages, built and run. Its tests check that the package's targets rewrote
/// the test assembly and ThreadSafe.dll, and that systematic mode catches a race over Guarded&lt;T&gt; there.
/// Slow (packs, restores, builds), so it runs with THREADSAFE_STRESS=1.
/// </summary>
public sealed class PackageConsumerTests(ITestOutputHelper output)
{
    private const string ConsumerProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
            <PackageReference Include="xunit" Version="2.9.3" />
            <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
            <PackageReference Include="ThreadSafe" Version="VERSION" />
            <PackageReference Include="ThreadSafe.Testing" Version="VERSION" />
          </ItemGroup>
        </Project>
        """;

    private const string ConsumerTests = """
        using FsCheck.Fluent;
        using Microsoft.Coyote.Rewriting;
        using ThreadSafe;
        using ThreadSafe.Testing;
        using Xunit;

        public sealed class Tags
        {
            private readonly Guarded<HashSet<int>> _tags = new(new HashSet<int>());

            // Racy on purpose: the check and the add are two guarded calls.
            public bool AddIfAbsent(int tag) =>
                !_tags.Read(set => set.Contains(tag)) && _tags.Write(set => { set.Add(tag); return true; });
        }

        public class ConsumerTests
        {
            [Fact]
            public void TheTargets_RewroteTheTestAssemblyAndThreadSafe()
            {
                Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(ConsumerTests).Assembly));
                Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(Guarded<>).Assembly));
                Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(LinearizabilitySpec<,>).Assembly));
            }

            [Fact]
            public void SystematicMode_CatchesTheRace() =>
                Assert.Throws<ConcurrencyTestException>(() =>
                    new LinearizabilitySpec<Tags, bool>(() => new Tags(), () => false)
                        .Operation("AddIfAbsent", Gen.Constant(1), (t, x) => t.AddIfAbsent(x), (m, x) => (!m, true))
                        .CheckScenarioSystematic(new Scenario(new[] { Invocation.Of("AddIfAbsent", 1) }, new[] { Invocation.Of("AddIfAbsent", 1) })));
        }
        """;

    [Fact]
    public void PackageUser_GetsRewritingFromThePackageAlone()
    {
        if (Environment.GetEnvironmentVariable("THREADSAFE_STRESS") != "1")
        {
            output.WriteLine("Set THREADSAFE_STRESS=1 to pack and build a consumer project.");
            return;
        }

        string repository = FindRepository();
        string work = Directory.CreateTempSubdirectory("threadsafe-consumer-").FullName;
        string feed = Path.Combine(work, "feed");
        string version = string.Create(CultureInfo.InvariantCulture, $"0.0.1-consumer.{DateTime.UtcNow:yyyyMMddHHmmss}");
        foreach (string project in new[] { "src/ThreadSafe/ThreadSafe.csproj", "src/ThreadSafe.Testing/ThreadSafe.Testing.csproj" })
        {
            Run(repository, $"pack {project} -c Release -o \"{feed}\" -p:Version={version} -p:IncludeSymbols=false");
        }

        string consumer = Path.Combine(work, "consumer");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "Consumer.Tests.csproj"), ConsumerProject.Replace("VERSION", version, StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(consumer, "ConsumerTests.cs"), ConsumerTests);
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        string test = Run(consumer, "test");
        Assert.Contains("Passed!", test, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(consumer, "obj", "Debug", "net10.0", "threadsafe.rewrite.coyote.json")), "The package's targets did not run.");
    }

    private string Run(string directory, string arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), $"dotnet {arguments} did not finish in 10 minutes.");
        string text = stdout.Result + stderr.Result;
        output.WriteLine($"dotnet {arguments}:{Environment.NewLine}{text}");
        Assert.True(process.ExitCode == 0, $"dotnet {arguments} failed ({process.ExitCode}):{Environment.NewLine}{text}");
        return text;
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
