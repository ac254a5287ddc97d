using System.Reflection;
using Microsoft.Coyote.Rewriting;

namespace ThreadSafe.Tests.Shared;

/// <summary>
/// Without rewriting, Coyote silently finds nothing: these tests make a missing rewrite a failure in every
/// test project that runs Coyote. They check the test assembly and every ThreadSafe* assembly beside it.
/// </summary>
public sealed class RewritingGuardTests
{
    public static TheoryData<string> ThreadSafeAssemblies()
    {
        var names = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(AppContext.BaseDirectory, "ThreadSafe*.dll").Order(StringComparer.Ordinal))
        {
            names.Add(Path.GetFileNameWithoutExtension(path));
        }

        return names;
    }

    [Fact]
    public void TestAssembly_IsRewrittenForCoyote() =>
        Assert.True(
            RewritingEngine.IsAssemblyRewritten(Assembly.GetExecutingAssembly()),
            $"{Assembly.GetExecutingAssembly().GetName().Name}.dll is not rewritten: build with the rewriting targets (tests/Coyote.targets).");

    [Theory]
    [MemberData(nameof(ThreadSafeAssemblies))]
    public void AssemblyBesideTheTests_IsRewrittenForCoyote(string assemblyName) =>
        Assert.True(
            RewritingEngine.IsAssemblyRewritten(Assembly.Load(assemblyName)),
            $"{assemblyName}.dll beside the tests is not rewritten: build with the rewriting targets (tests/Coyote.targets).");

    [Theory]
    [MemberData(nameof(ThreadSafeAssemblies))]
    public void RewrittenAssembly_DoesNotUseCreateSpanOfConstants(string assemblyName) =>
        ConstantDataCheck.AssertNoCreateSpan(assemblyName);
}
