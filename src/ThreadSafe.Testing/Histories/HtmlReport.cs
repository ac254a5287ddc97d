using System.Globalization;
using System.Net;
using System.Text;

namespace ThreadSafe.Testing.Histories;

/// <summary>
/// Renders a <see cref="HistoryReport"/> as one self-contained HTML page (inline style and script, no
/// network): per part, one lane per client, each call a bar from its call to its return on a time axis
/// compressed to the order of events, the longest linearizable prefix numbered in order, the call the
/// search got stuck on in red, and on hover the call's details and the model state after it.
/// </summary>
/// <remarks>Descriptions are cut to <see cref="MaxText"/> characters so a report of thousands of calls stays a few megabytes.</remarks>
internal static class HtmlReport
{
    internal const int MaxText = 300;
    private const int Unit = 14;      // pixels per distinct event time, at least
    private const int MaxUnit = 96;   // ... and at most: a short history is spread over about FitWidth pixels
    private const int FitWidth = 1200;
    private const int LaneHeight = 26;
    private const int Left = 6;       // margin before the first event

    public static string Render(HistoryReport report)
    {
        var html = new StringBuilder(4096 + (report.TotalCalls * 300));
        string title = report.Verdict switch
        {
            LinearizabilityVerdict.Linearizable => "Linearizable",
            LinearizabilityVerdict.NotLinearizable => "Not linearizable",
            _ => "Unknown (no verdict)",
        };
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(title).Append(" — linearizability report</title>\n<style>").Append(Style).Append("</style></head>\n<body>\n")
            .Append("<header><h1 id=\"verdict\" class=\"").Append(report.Verdict.ToString().ToLowerInvariant()).Append("\">").Append(title).Append("</h1>\n<p id=\"summary\">")
            .Append(Escape(report.Summary())).Append("</p>\n");
        if (report.Notes is not null)
        {
            html.Append("<pre id=\"notes\">").Append(Escape(report.Notes)).Append("</pre>\n");
        }

        html
            .Append("<p class=\"legend\"><span class=\"key lin\">1</span> placed in the longest linearizable prefix, in that order ")
            .Append("<span class=\"key stuck\">stuck</span> could not be placed after that prefix ")
            .Append("<span class=\"key rest\">&nbsp;</span> not placed ")
            .Append("<span class=\"key rest pending\">&nbsp;</span> never returned. Hover a call for its details and the model state after it.</p></header>\n")
            .Append("<div id=\"info\" class=\"info\">Hover a call.</div>\n");
        foreach (ReportPart part in report.Parts)
        {
            RenderPart(html, part, report);
        }

        html.Append("<script>").Append(Script).Append("</script>\n</body></html>\n");
        return html.ToString();
    }

    private static void RenderPart(StringBuilder html, ReportPart part, HistoryReport report)
    {
        int parts = report.Parts.Count;
        string verdict = part.Verdict switch
        {
            SearchVerdict.Linearizable => "linearizable",
            SearchVerdict.NotLinearizable => "not linearizable",
            SearchVerdict.Stopped => "undecided (stopped)",
            _ => "not checked",
        };
        bool open = part.Verdict != SearchVerdict.Linearizable || parts == 1;
        html.Append(CultureInfo.InvariantCulture, $"<details class=\"part\" id=\"part-{part.Number}\"{(open ? " open" : string.Empty)}><summary>")
            .Append(parts == 1 ? "History" : string.Create(CultureInfo.InvariantCulture, $"Part {part.Number} of {parts}"))
            .Append(CultureInfo.InvariantCulture, $": {verdict}, {part.Calls.Length} calls, longest linearizable prefix {part.Order.Length}</summary>\n");

        // Compress time to the rank of each distinct event time; a call that never returned reaches the end.
        long[] times = part.Calls.SelectMany(c => c.Return is long r ? new[] { c.Call, r } : [c.Call]).Distinct().Order().ToArray();
        int end = times.Length + 1;
        int[] lanes = part.Calls.Select(c => c.ClientId).Distinct().Order().ToArray();
        var lane = new Dictionary<int, int>();
        for (int i = 0; i < lanes.Length; i++)
        {
            lane[lanes[i]] = i;
        }

        var position = new int[part.Calls.Length];
        for (int k = 0; k < part.Order.Length; k++)
        {
            position[part.Order[k]] = k + 1;
        }

        // The lane labels stay in place while the timeline scrolls beside them.
        // Short histories (a shrunk scenario) get wider bars, so their labels can be read without hovering.
        int unit = Math.Clamp(FitWidth / (end + 1), Unit, MaxUnit);
        int width = Left + ((end + 1) * unit);
        html.Append("<div class=\"tl\"><div class=\"labels\">");
        foreach (int client in lanes)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"lane\">{Escape(report.Lane(client))}</div>");
        }

        html.Append(CultureInfo.InvariantCulture, $"</div>\n<div class=\"scroll\"><div class=\"timeline\" style=\"width:{width}px;height:{(lanes.Length * LaneHeight) + 6}px\">\n");

        for (int k = 0; k < part.Calls.Length; k++)
        {
            ReportCall call = part.Calls[k];
            int from = Array.BinarySearch(times, call.Call);
            int to = call.Return is long r ? Array.BinarySearch(times, r) : end;
            string kind = k == part.Stuck ? "stuck" : position[k] > 0 ? "lin" : "rest";
            string pending = call.Return is null ? " pending" : string.Empty;
            string label = position[k] > 0 ? string.Create(CultureInfo.InvariantCulture, $"{position[k]}. {call.Description}") : call.Description;
            var tip = new StringBuilder();
            tip.Append(CultureInfo.InvariantCulture, $"call #{call.Index}, {report.Lane(call.ClientId)}: {call.Description}\ncalled {call.Call}, ");
            tip.Append(call.Return is long ret ? string.Create(CultureInfo.InvariantCulture, $"returned {ret}") : "never returned");
            if (position[k] > 0)
            {
                tip.Append(CultureInfo.InvariantCulture, $"\nplaced {position[k]} of {part.Order.Length}; state after: {part.StatesAfter[position[k] - 1]}");
            }
            else if (k == part.Stuck)
            {
                string before = part.Order.Length > 0 ? part.StatesAfter[^1] : part.InitialState;
                tip.Append(CultureInfo.InvariantCulture, $"\nstuck: no call can be placed next that returned before this one; state before: {before}");
            }

            html.Append(CultureInfo.InvariantCulture, $"<div class=\"call {kind}{pending}\" style=\"left:{Left + (from * unit)}px;top:{(lane[call.ClientId] * LaneHeight) + 3}px;width:{Math.Max(1, to - from) * unit}px\" title=\"")
                .Append(Escape(tip.ToString())).Append("\">").Append(Escape(label)).Append("</div>\n");
        }

        if (part.Stuck >= 0 && part.Calls[part.Stuck].Return is long stuckReturn)
        {
            int x = Left + (Array.BinarySearch(times, stuckReturn) * unit);
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"stuck-line\" style=\"left:{x}px\" title=\"the search got stuck here\"></div>\n");
        }

        html.Append("</div></div></div>\n");
        if (part.Order.Length > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<details class=\"order\"><summary>Longest linearizable prefix ({Scenario.Plural(part.Order.Length, "call")}) and the state after each</summary><ol>\n");
            html.Append("<li class=\"init\" value=\"0\">initial state: ").Append(Escape(part.InitialState)).Append("</li>\n");
            for (int k = 0; k < part.Order.Length; k++)
            {
                ReportCall call = part.Calls[part.Order[k]];
                html.Append(CultureInfo.InvariantCulture, $"<li>call #{call.Index} ({Escape(report.Lane(call.ClientId))}) ").Append(Escape(call.Description))
                    .Append(" &rarr; ").Append(Escape(part.StatesAfter[k])).Append("</li>\n");
            }

            html.Append("</ol></details>\n");
        }

        html.Append("</details>\n");
    }

    internal static string Cut(string text) => text.Length <= MaxText ? text : string.Concat(text.AsSpan(0, MaxText), "…");

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private const string Style =
        "body{font:14px system-ui,sans-serif;margin:16px;color:#222;background:#fff}" +
        "h1{margin:0 0 6px;font-size:22px}h1.notlinearizable{color:#b3261e}h1.linearizable{color:#1e7d32}h1.unknown{color:#8a6d00}" +
        "#summary{margin:4px 0 8px;max-width:1100px}.legend{color:#555}" +
        "#notes{font-family:ui-monospace,monospace;font-size:12px;background:#f6f6f6;border:1px solid #ddd;padding:6px 8px;overflow-x:auto;max-height:360px}" +
        ".key{display:inline-block;min-width:18px;padding:0 4px;border-radius:3px;margin-left:8px;font-size:12px;text-align:center}" +
        ".info{position:sticky;top:0;z-index:5;background:#fffbe6;border:1px solid #e0c200;padding:6px 8px;margin:8px 0;white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:13px;min-height:3.6em}" +
        ".part{margin:10px 0;border:1px solid #ddd;border-radius:4px;padding:6px}.part>summary{font-weight:600;cursor:pointer}" +
        ".tl{display:flex;margin-top:6px}.labels{flex:none;width:84px;padding-top:0}.scroll{overflow-x:auto;flex:1}" +
        ".timeline{position:relative;background:repeating-linear-gradient(#fafafa 0 26px,#f0f0f0 26px 52px)}" +
        ".lane{height:26px;line-height:26px;font-size:12px;color:#555;padding-left:4px;white-space:nowrap}" +
        ".call{position:absolute;height:20px;line-height:20px;font-size:11px;padding:0 3px;box-sizing:border-box;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;border-radius:3px;cursor:default}" +
        ".call:hover{outline:2px solid #000;z-index:3;overflow:visible;background-clip:padding-box}" +
        ".lin{background:#c8e6c9;border:1px solid #43a047}.stuck{background:#ffcdd2;border:2px solid #c62828;font-weight:600}.rest{background:#e0e0e0;border:1px solid #9e9e9e}" +
        ".pending{border-style:dashed;background-image:repeating-linear-gradient(45deg,transparent 0 6px,rgba(0,0,0,.07) 6px 12px)}" +
        ".stuck-line{position:absolute;top:0;bottom:0;width:0;border-left:2px dashed #c62828;z-index:2}" +
        ".order ol{font-family:ui-monospace,monospace;font-size:12px;max-height:320px;overflow:auto}.order .init{list-style:none;color:#555}";

    private const string Script =
        "(function(){var info=document.getElementById('info');" +
        "document.addEventListener('mouseover',function(e){var c=e.target.closest&&e.target.closest('.call');if(c){info.textContent=c.getAttribute('title');}});})();";
}
