using System.Globalization;
using System.Text;

namespace ThreadSafe.Testing;

/// <summary>Formats a history as a table: one column per thread, each cell <c>Op(args) -&gt; result</c>.</summary>
internal static class FailureTable
{
    public static string Cell(string name, bool hasArgument, bool isCommand, in HistoryEntry entry)
    {
        string call = hasArgument ? string.Create(CultureInfo.InvariantCulture, $"{name}({ValueText.Format(entry.Argument)})") : name + "()";
        return isCommand && entry.Result is not Thrown ? call : call + " -> " + ValueText.Format(entry.Result);
    }

    public static string Format(string[] prefix, string[][] threads, string[] suffix)
    {
        var text = new StringBuilder();
        if (prefix.Length > 0)
        {
            text.AppendLine("Sequential prefix:");
            foreach (string cell in prefix)
            {
                text.Append("  ").AppendLine(cell);
            }
        }

        string[] headers = threads.Select((_, i) => string.Create(CultureInfo.InvariantCulture, $"Thread {i}")).ToArray();
        int[] widths = threads.Select((t, i) => t.Append(headers[i]).Max(c => c.Length)).ToArray();
        int rows = threads.Max(t => t.Length);
        Row(headers);
        text.Append('|');
        foreach (int w in widths)
        {
            text.Append(new string('-', w + 2)).Append('|');
        }

        text.AppendLine();
        for (int r = 0; r < rows; r++)
        {
            Row(threads.Select(t => r < t.Length ? t[r] : string.Empty).ToArray());
        }

        if (suffix.Length > 0)
        {
            text.AppendLine("Sequential suffix:");
            foreach (string cell in suffix)
            {
                text.Append("  ").AppendLine(cell);
            }
        }

        return text.ToString();

        void Row(string[] cells)
        {
            text.Append('|');
            for (int i = 0; i < cells.Length; i++)
            {
                text.Append(' ').Append(cells[i].PadRight(widths[i])).Append(" |");
            }

            text.AppendLine();
        }
    }
}
