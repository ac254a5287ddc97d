using System.Xml.Linq;

namespace ThreadSafe.Tests.WorkQueue;

/// <summary>The shipped XML documentation of <see cref="WorkQueue{T}"/>, as IntelliSense shows it.</summary>
public sealed class WorkQueueDocumentationTests
{
    [Fact]
    public void BuiltXml_HasExactlyOneSummaryPerWorkQueueType()
    {
        string path = Path.ChangeExtension(typeof(WorkQueue<>).Assembly.Location, ".xml");
        Assert.True(File.Exists(path), $"no documentation file at {path}");
        XDocument xml = XDocument.Load(path);
        foreach (string type in new[] { "T:ThreadSafe.WorkQueue`1", "T:ThreadSafe.WorkQueueOptions`1", "T:ThreadSafe.WorkQueueFaultedException`1" })
        {
            int summaries = xml.Descendants("member")
                .Where(m => (string?)m.Attribute("name") == type)
                .Sum(m => m.Elements("summary").Count());
            Assert.True(summaries == 1, $"{type} has {summaries} summaries in {Path.GetFileName(path)}");
        }
    }
}
