using System.Reflection;
using Microsoft.Coyote.Rewriting;

namespace ThreadSafe.Tests.Coyote;

/// <summary>Without rewriting, Coyote silently finds nothing; these tests make a missing rewrite a failure.</summary>
public sealed class RewritingGuardTests
{
    [Fact]
    public void TestAssembly_IsRewrittenForCoyote()
    {
        Assert.True(
            RewritingEngine.IsAssemblyRewritten(Assembly.GetExecutingAssembly()),
            "ThreadSafe.Tests.dll is not rewritten: build with the CoyoteRewrite target (tests/Coyote.targets).");
    }

    [Fact]
    public void LibraryAssembly_IsRewrittenForCoyote()
    {
        Assert.True(
            RewritingEngine.IsAssemblyRewritten(typeof(Guarded<>).Assembly),
            "ThreadSafe.dll beside the tests is not rewritten: build with the CoyoteRewrite target (tests/Coyote.targets).");
    }

    [Theory]
    [InlineData("ThreadSafe.Tests")]
    [InlineData("ThreadSafe")]
    public void RewrittenAssembly_DoesNotUseCreateSpanOfConstants(string assemblyName) =>
        Shared.ConstantDataCheck.AssertNoCreateSpan(assemblyName);
}
