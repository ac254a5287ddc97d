// Checks the XML documentation shipped in every package: each public type has exactly one <summary>.
// A partial type whose parts each carry a <summary> ships several, and IntelliSense then shows whichever
// part the compiler met first; the other parts must use <content>.
//
// Usage: dotnet run tools/CheckPackageDocs.cs -- <folder with .nupkg files>
// Exit code 0 when every package is clean, 1 otherwise (each offending type is listed).

using System.IO.Compression;
using System.Xml.Linq;

// Types known to break the rule today, each to be fixed in its own source. Listed here, by documentation
// ID, so the check stays on for everything else; remove an entry as soon as its type is fixed.
string[] knownExceptions = [];

if (args.Length != 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: dotnet run tools/CheckPackageDocs.cs -- <folder with .nupkg files>");
    return 2;
}

string[] packages = Directory.GetFiles(args[0], "*.nupkg");
if (packages.Length == 0)
{
    Console.Error.WriteLine($"error: no .nupkg in {args[0]}: nothing was checked");
    return 1;
}

var failures = new List<string>();
var stillExcepted = new HashSet<string>();
int docFiles = 0, types = 0;
foreach (string package in packages)
{
    using ZipArchive zip = ZipFile.OpenRead(package);
    foreach (ZipArchiveEntry entry in zip.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal)
                                                         && e.FullName.EndsWith(".xml", StringComparison.Ordinal)))
    {
        docFiles++;
        using Stream stream = entry.Open();
        XDocument doc = XDocument.Load(stream);
        foreach (XElement member in doc.Descendants("member"))
        {
            string id = (string?)member.Attribute("name") ?? "";
            if (!id.StartsWith("T:", StringComparison.Ordinal))
            {
                continue;
            }

            types++;
            int summaries = member.Elements("summary").Count();
            if (summaries == 1)
            {
                continue;
            }

            if (knownExceptions.Contains(id))
            {
                stillExcepted.Add(id);
                continue;
            }

            failures.Add($"{Path.GetFileName(package)}!{entry.FullName}: {id} has {summaries} <summary> elements, expected 1");
        }
    }
}

foreach (string fixedType in knownExceptions.Where(id => !stillExcepted.Contains(id)))
{
    Console.WriteLine($"note: {fixedType} now has exactly one <summary>: remove it from knownExceptions in tools/CheckPackageDocs.cs");
}

if (docFiles == 0)
{
    Console.Error.WriteLine("error: the packages hold no XML documentation file: nothing was checked");
    return 1;
}

foreach (string failure in failures)
{
    Console.Error.WriteLine("error: " + failure);
}

Console.WriteLine($"package docs: {types} type entries in {docFiles} XML files of {packages.Length} packages, {failures.Count} with a summary count other than 1");
return failures.Count == 0 ? 0 : 1;
