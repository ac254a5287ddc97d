using System.Globalization;
using System.Text.RegularExpressions;
using ThreadSafe.Testing.Histories;

namespace ThreadSafe.Testing.Tests.Histories;

/// <summary>What a call on Jepsen's etcd register asks: 'r' read, 'w' write <paramref name="A"/>, 'c' set to <paramref name="B"/> if it holds <paramref name="A"/>.</summary>
public readonly record struct EtcdInput(char Op, int A, int B);

/// <summary>How a call on the etcd register ended; <see cref="Unknown"/> (the default) for a call that timed out or never returned.</summary>
public enum EtcdOutcome
{
    Unknown,
    Ok,
    Fail,
}

/// <summary>What a call on the etcd register returned: its outcome and, for a read, the value (<see langword="null"/>: the key does not exist).</summary>
public readonly record struct EtcdOutput(EtcdOutcome Outcome, int? Value);

/// <summary>
/// Reads the Jepsen etcd logs of Porcupine's test data (<c>INFO jepsen.util - 3 :invoke :cas [1 2]</c>) as call and
/// return events, the way Porcupine's own test parser does: a timed-out read returns there with an unknown outcome; a
/// call that ends in <c>:info</c> (Jepsen gives that process no further calls) never returns.
/// </summary>
public static partial class EtcdLog
{
    /// <summary>The register of Porcupine's etcd test: it starts absent (nil).</summary>
    public static Model<int?, EtcdInput, EtcdOutput> Model { get; } = new()
    {
        Init = () => null,
        Step = (state, input, output) => input.Op switch
        {
            'r' => (output.Outcome == EtcdOutcome.Unknown || output.Value == state, state),
            'w' => (true, input.A),
            _ => (output.Outcome == EtcdOutcome.Unknown || (output.Outcome == EtcdOutcome.Ok) == (state == input.A), state == input.A ? input.B : state),
        },
        DescribeOperation = (input, output) => input.Op switch
        {
            'r' => "read() -> " + (output.Outcome == EtcdOutcome.Unknown ? "unknown" : output.Value?.ToString(CultureInfo.InvariantCulture) ?? "nil"),
            'w' => string.Create(CultureInfo.InvariantCulture, $"write({input.A})"),
            _ => string.Create(CultureInfo.InvariantCulture, $"cas({input.A}, {input.B}) -> {output.Outcome.ToString().ToLowerInvariant()}"),
        },
        DescribeState = state => state?.ToString(CultureInfo.InvariantCulture) ?? "nil",
    };

    /// <summary>Parses a log into events; lines of no call or return (e.g. <c>:info</c>) are skipped.</summary>
    /// <exception cref="FormatException">A process calls again before its call returned, or returns without a call.</exception>
    public static List<HistoryEvent<EtcdInput, EtcdOutput>> Parse(IEnumerable<string> lines)
    {
        var events = new List<HistoryEvent<EtcdInput, EtcdOutput>>();
        var open = new Dictionary<int, int>();   // process -> id of its call that has not returned
        int id = 0;
        int number = 0;
        foreach (string line in lines)
        {
            number++;
            Match m = Line().Match(line);
            if (!m.Success)
            {
                continue;
            }

            int process = int.Parse(m.Groups["process"].Value, CultureInfo.InvariantCulture);
            string type = m.Groups["type"].Value;
            string f = m.Groups["f"].Value;
            string value = m.Groups["value"].Value.Trim();
            if (type == "invoke")
            {
                if (open.ContainsKey(process))
                {
                    throw new FormatException($"Line {number}: process {process} calls again before its call returned.");
                }

                (int a, int b) = f == "cas" ? Pair(value) : (f == "write" ? Number(value) : 0, 0);
                events.Add(new() { Kind = HistoryEventKind.Call, ClientId = process, Id = id, Input = new EtcdInput(f[0], a, b) });
                open[process] = id++;
                continue;
            }

            EtcdOutput? output = (type, f) switch
            {
                ("ok", "read") => new EtcdOutput(EtcdOutcome.Ok, value == "nil" ? null : Number(value)),
                ("fail", "read") when value == ":timed-out" => new EtcdOutput(EtcdOutcome.Unknown, null),
                ("ok", "write") => new EtcdOutput(EtcdOutcome.Ok, null),
                ("ok", "cas") => new EtcdOutput(EtcdOutcome.Ok, null),
                ("fail", "cas") => new EtcdOutput(EtcdOutcome.Fail, null),
                _ => null, // :info: the call's outcome is unknown and it never returns
            };
            if (output is EtcdOutput returned)
            {
                if (!open.Remove(process, out int call))
                {
                    throw new FormatException($"Line {number}: process {process} returns without a call.");
                }

                events.Add(new() { Kind = HistoryEventKind.Return, ClientId = process, Id = call, Output = returned });
            }
        }

        return events;

        static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);

        static (int, int) Pair(string text)
        {
            string[] p = text.Trim('[', ']').Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return (Number(p[0]), Number(p[1]));
        }
    }

    [GeneratedRegex(@"^INFO\s+jepsen\.util\s+-\s+(?<process>\d+)\s+:(?<type>invoke|ok|fail|info)\s+:(?<f>read|write|cas)\s+(?<value>.*)$")]
    private static partial Regex Line();
}
