using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.Coyote.Rewriting;

namespace ThreadSafe.Testing;

/// <summary>
/// Finds the assemblies that systematic mode would run without Coyote rewriting. Starting from the
/// assemblies whose code a specification runs (the object's type, the delegates' declaring types, this
/// package), it follows assembly references transitively, loading referenced assemblies as the code
/// would, and reports every one that is not rewritten. It does not follow references into the .NET
/// framework (assemblies of the shared framework folder) or into test frameworks and tools
/// (<see cref="ToolingPattern"/>, the same pattern the package's build targets leave unrewritten).
/// </summary>
internal static partial class RewriteGuard
{
    /// <summary>
    /// File names of test frameworks and tools: never rewritten, never required to be. Must equal
    /// ThreadSafeRewriteToolingPattern in buildTransitive/ThreadSafe.Testing.targets (a test compares them).
    /// </summary>
    internal const string ToolingPattern =
        "^(Microsoft[.]Coyote|Microsoft[.]TestPlatform|Microsoft[.]VisualStudio[.]|Microsoft[.]Testing[.]|Microsoft[.]CodeCoverage|testhost|xunit|FsCheck|FSharp[.]Core[.]|Mono[.]Cecil|Microsoft[.]ApplicationInsights|Newtonsoft[.]Json|nunit|NUnit|MSTest)";

    // The folder holding the shared frameworks (…/dotnet/shared), or null when the runtime is not laid out that way.
    private static readonly string? SharedFrameworks = FindSharedFrameworks();

    /// <summary>Gets the names of the assemblies reachable from <paramref name="roots"/> that are not rewritten, sorted.</summary>
    /// <param name="roots">Assemblies whose code runs under Coyote.</param>
    /// <param name="allowed">Assembly names the caller accepts without rewriting.</param>
    /// <returns>The missing assemblies, each as "Name (path)".</returns>
    public static string[] FindNotRewritten(IEnumerable<Assembly> roots, IReadOnlyCollection<string> allowed)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<Assembly>(roots);
        var missing = new List<string>();
        while (pending.Count > 0)
        {
            Assembly assembly = pending.Pop();
            string name = assembly.GetName().Name ?? string.Empty;
            if (!seen.Add(name) || assembly.IsDynamic || IsFramework(assembly) || IsTooling(name))
            {
                continue;
            }

            if (!RewritingEngine.IsAssemblyRewritten(assembly) && !allowed.Contains(name))
            {
                missing.Add(string.IsNullOrEmpty(assembly.Location) ? name : $"{name} ({assembly.Location})");
            }

            foreach (AssemblyName reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is { } referenced && !seen.Contains(referenced) && !IsFrameworkName(referenced) && !IsTooling(referenced)
                    && TryLoad(assembly, reference) is { } loaded)
                {
                    pending.Push(loaded);
                }
            }
        }

        missing.Sort(StringComparer.Ordinal);
        return [.. missing];
    }

    /// <summary>The refusal message naming every assembly that is not rewritten and how to fix it.</summary>
    /// <param name="missing">The missing assemblies from <see cref="FindNotRewritten"/>.</param>
    /// <returns>The message.</returns>
    public static string Refusal(IReadOnlyCollection<string> missing) =>
        $"Systematic mode needs Coyote-rewritten assemblies, but {(missing.Count == 1 ? "this assembly" : "these assemblies")} that the " +
        $"specification's code can reach {(missing.Count == 1 ? "is" : "are")} not rewritten:{Environment.NewLine}" +
        string.Concat(missing.Select(m => $"  - {m}{Environment.NewLine}")) +
        "Without rewriting, Coyote controls none of their locks and tasks: it would miss their races and report false deadlocks, " +
        "so the check refuses to run. Fix: reference the ThreadSafe.Testing package from the test project; its build targets " +
        "rewrite, after every build, the test assembly and every assembly copied beside it (a project that is not a test project sets " +
        "<ThreadSafeRewrite>true</ThreadSafeRewrite>). Check that the build did not skip rewriting (THREADSAFE_SKIP_REWRITE, " +
        "ThreadSafeSkipRewrite) and that no assembly above is a ThreadSafeRewriteExclude item; an assembly loaded without a " +
        "compile-time reference goes in a ThreadSafeRewriteInclude item. If an assembly above runs no code under test, name it in " +
        "LinearizabilityOptions.UncontrolledAssemblies. Stress mode (Check) needs no rewriting. See docs/testing.md, " +
        "'Setting up Coyote rewriting'.";

    /// <summary>Whether the file or assembly name belongs to a test framework or tool (<see cref="ToolingPattern"/>).</summary>
    /// <param name="name">An assembly name, or a file name.</param>
    /// <returns>Whether it is tooling.</returns>
    public static bool IsTooling(string name) => ToolingRegex().IsMatch(name);

    private static bool IsFramework(Assembly assembly) =>
        IsFrameworkName(assembly.GetName().Name ?? string.Empty)
        || (SharedFrameworks is not null && !string.IsNullOrEmpty(assembly.Location)
            && assembly.Location.StartsWith(SharedFrameworks, StringComparison.Ordinal));

    private static bool IsFrameworkName(string name) =>
        name is "mscorlib" or "netstandard" or "System" or "WindowsBase"
        || name.StartsWith("System.", StringComparison.Ordinal);

    // Resolves a reference the way the runtime does for the referencing assembly: in that assembly's load context.
    // Looking across every context would match another context's copy of the same name (a collectible test copy, say)
    // and judge the wrong file.
    private static Assembly? TryLoad(Assembly referencing, AssemblyName reference)
    {
        AssemblyLoadContext context = AssemblyLoadContext.GetLoadContext(referencing) ?? AssemblyLoadContext.Default;
        foreach (Assembly loaded in context.Assemblies)
        {
            if (AssemblyName.ReferenceMatchesDefinition(reference, loaded.GetName()))
            {
                return loaded;
            }
        }

        try
        {
            return context.LoadFromAssemblyName(reference);
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static string? FindSharedFrameworks()
    {
        // System.Private.CoreLib lives in …/shared/Microsoft.NETCore.App/<version>/.
        string? version = Path.GetDirectoryName(typeof(object).Assembly.Location);
        string? shared = Path.GetDirectoryName(Path.GetDirectoryName(version));
        return string.IsNullOrEmpty(shared) ? null : shared + Path.DirectorySeparatorChar;
    }

    [GeneratedRegex(ToolingPattern, RegexOptions.CultureInvariant)]
    private static partial Regex ToolingRegex();
}
