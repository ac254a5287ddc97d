using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
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

    // The rewriter does not keep the alignment of constant data fields, and RuntimeHelpers.CreateSpan<T>
    // (emitted for spans of constants such as Assert.Equal([1, 2], ...)) throws "The field is invalid
    // for initializing array or span" on a misaligned field, depending on where the field lands. Use an
    // array (new[] { 1, 2 }) instead: array initialization has no alignment requirement.
    [Theory]
    [InlineData("ThreadSafe.Tests")]
    [InlineData("ThreadSafe")]
    public void RewrittenAssembly_DoesNotUseCreateSpanOfConstants(string assemblyName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        using var pe = new PEReader(File.OpenRead(path));
        MetadataReader metadata = pe.GetMetadataReader();
        bool usesCreateSpan = metadata.MemberReferences
            .Select(handle => metadata.GetString(metadata.GetMemberReference(handle).Name))
            .Any(name => name == "CreateSpan");
        Assert.False(usesCreateSpan, $"{assemblyName}.dll calls RuntimeHelpers.CreateSpan, which fails on rewritten assemblies: write the constants as an array (new[] {{ ... }}) instead of a collection expression bound to a span.");
    }
}
