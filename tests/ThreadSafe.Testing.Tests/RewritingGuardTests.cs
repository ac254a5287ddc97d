using System.Reflection;
using Microsoft.Coyote.Rewriting;
using ThreadSafe.Testing;

namespace ThreadSafe.Testing.Tests;

/// <summary>Systematic mode needs rewritten assemblies; these tests make a missing rewrite a failure.</summary>
public sealed class RewritingGuardTests
{
    [Fact]
    public void TestAssembly_IsRewrittenForCoyote() =>
        Assert.True(
            RewritingEngine.IsAssemblyRewritten(Assembly.GetExecutingAssembly()),
            "ThreadSafe.Testing.Tests.dll is not rewritten: build with the CoyoteRewrite target (tests/Coyote.targets).");

    [Fact]
    public void TestingAssembly_IsRewrittenForCoyote() =>
        Assert.True(
            RewritingEngine.IsAssemblyRewritten(typeof(LinearizabilitySpec<,>).Assembly),
            "ThreadSafe.Testing.dll beside the tests is not rewritten: build with the CoyoteRewrite target (tests/Coyote.targets).");

    [Fact]
    public void LibraryAssembly_IsRewrittenForCoyote() =>
        Assert.True(
            RewritingEngine.IsAssemblyRewritten(typeof(Guarded<>).Assembly),
            "ThreadSafe.dll beside the tests is not rewritten: build with the CoyoteRewrite target (tests/Coyote.targets).");

    [Theory]
    [InlineData("ThreadSafe.Testing.Tests")]
    [InlineData("ThreadSafe.Testing")]
    [InlineData("ThreadSafe")]
    public void RewrittenAssembly_DoesNotUseCreateSpanOfConstants(string assemblyName) =>
        ThreadSafe.Tests.Shared.ConstantDataCheck.AssertNoCreateSpan(assemblyName);
}
