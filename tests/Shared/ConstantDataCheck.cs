using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace ThreadSafe.Tests.Shared;

/// <summary>
/// The Coyote rewriter does not keep the alignment of constant data fields, and
/// <c>RuntimeHelpers.CreateSpan&lt;T&gt;</c> (emitted for spans of numeric constants, such as
/// <c>Assert.Equal([1, 2], ...)</c>, a <c>List&lt;int&gt;</c> collection expression, or an array constant
/// bound to a span overload) throws "The field is invalid for initializing array or span" when the field
/// lands misaligned, which changes with unrelated edits. Rewritten assemblies must not call it.
/// </summary>
internal static class ConstantDataCheck
{
    /// <summary>Fails if the assembly beside the tests named <paramref name="assemblyName"/> calls RuntimeHelpers.CreateSpan.</summary>
    public static void AssertNoCreateSpan(string assemblyName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        using var pe = new PEReader(File.OpenRead(path));
        MetadataReader metadata = pe.GetMetadataReader();
        bool usesCreateSpan = metadata.MemberReferences
            .Select(handle => metadata.GetString(metadata.GetMemberReference(handle).Name))
            .Any(name => name == "CreateSpan");
        Assert.False(
            usesCreateSpan,
            $"{assemblyName}.dll calls RuntimeHelpers.CreateSpan, which fails at random on rewritten assemblies: write numeric " +
            "constants as an array or collection initializer bound to IEnumerable (new List<int> { 1, 2 }), not as a span.");
    }
}
