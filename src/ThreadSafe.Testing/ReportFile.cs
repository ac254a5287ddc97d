using System.Globalization;
using System.Text;

namespace ThreadSafe.Testing;

/// <summary>Writes the HTML report of a failure: in the chosen directory, or in the default ones.</summary>
internal static class ReportFile
{
    /// <summary>The folder of reports under the application's base directory, or under the temporary directory.</summary>
    internal const string Folder = "linearizability-reports";

    /// <summary>Names a new report file: the type under test, the mode, the time and a random suffix (checks may fail in parallel).</summary>
    public static string NewName(Type type, string mode)
    {
        string name = type.Name;
        int arity = name.IndexOf('`', StringComparison.Ordinal);
        name = arity > 0 ? name[..arity] : name;
        char[] invalid = Path.GetInvalidFileNameChars();
        name = new string(name.Select(c => invalid.Contains(c) ? '_' : c).ToArray());
        string unique = Guid.NewGuid().ToString("N")[..8];
        return string.Create(CultureInfo.InvariantCulture, $"{name}-{mode}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{unique}.html");
    }

    /// <summary>
    /// Writes <paramref name="html"/> as <paramref name="name"/> (replacing a file of that name) in
    /// <paramref name="directory"/>, or when it is <see langword="null"/> in the first default directory that can be
    /// written; returns the full path, or <see langword="null"/> with every directory's reason in <paramref name="problem"/>.
    /// </summary>
    public static string? TryWrite(string html, string? directory, string name, out string? problem)
    {
        string[] candidates = directory is not null
            ? [directory]
            : [Path.Combine(AppContext.BaseDirectory, Folder), Path.Combine(Path.GetTempPath(), Folder)];
        var problems = new List<string>();
        foreach (string candidate in candidates)
        {
            try
            {
                Directory.CreateDirectory(candidate);
                string path = Path.GetFullPath(Path.Combine(candidate, name));
                File.WriteAllText(path, html, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                problem = null;
                return path;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                problems.Add(candidate + ": " + ex.Message);
            }
        }

        problem = string.Join("; ", problems);
        return null;
    }
}
