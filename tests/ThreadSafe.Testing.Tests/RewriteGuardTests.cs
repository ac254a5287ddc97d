using System.Reflection;
using System.Runtime.Loader;

namespace ThreadSafe.Testing.Tests;

/// <summary>The guard behind systematic mode's refusal, on an unrewritten copy of a library loaded beside the rewritten one.</summary>
public sealed class RewriteGuardTests
{
    [Fact]
    public void FindNotRewritten_NamesTheUnrewrittenAssemblyAndItsPath()
    {
        var context = new AssemblyLoadContext("unrewritten copy", isCollectible: true);
        try
        {
            Assembly copy = context.LoadFromAssemblyPath(UnrewrittenCopyPath());
            string[] missing = RewriteGuard.FindNotRewritten([copy], []);
            string entry = Assert.Single(missing);
            Assert.StartsWith("ThreadSafe.Testing.UnlistedLibrary (", entry, StringComparison.Ordinal);
            Assert.Contains(Path.Combine("ThreadSafe.Testing.UnlistedLibrary", "bin"), entry, StringComparison.Ordinal);

            string message = RewriteGuard.Refusal(missing);
            Assert.Contains("- " + entry, message, StringComparison.Ordinal);
            Assert.Contains("ThreadSafeRewriteExclude", message, StringComparison.Ordinal);
            Assert.Contains("LinearizabilityOptions.UncontrolledAssemblies", message, StringComparison.Ordinal);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void FindNotRewritten_AcceptsAnAssemblyTheCallerNames()
    {
        var context = new AssemblyLoadContext("unrewritten copy", isCollectible: true);
        try
        {
            Assembly copy = context.LoadFromAssemblyPath(UnrewrittenCopyPath());
            Assert.Empty(RewriteGuard.FindNotRewritten([copy], ["ThreadSafe.Testing.UnlistedLibrary"]));
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void FindNotRewritten_FollowsReferences_ButNotIntoTheFrameworkOrTooling() =>
        Assert.Empty(RewriteGuard.FindNotRewritten([typeof(RewriteGuardTests).Assembly], []));

    // The library's own build output: the copy beside the tests is rewritten, this one never is.
    private static string UnrewrittenCopyPath()
    {
        string here = AppContext.BaseDirectory;
        string path = here.Replace(
            Path.DirectorySeparatorChar + "ThreadSafe.Testing.Tests" + Path.DirectorySeparatorChar,
            Path.DirectorySeparatorChar + "ThreadSafe.Testing.UnlistedLibrary" + Path.DirectorySeparatorChar,
            StringComparison.Ordinal);
        return Path.Combine(path, "ThreadSafe.Testing.UnlistedLibrary.dll");
    }
}
