using ThreadSafe.Testing.Histories;

namespace ThreadSafe.Testing.Tests.Histories;

/// <summary>Porcupine's own Jepsen etcd histories (three copied into Histories/Etcd, MIT): the checker gives Porcupine's verdicts.</summary>
public sealed class EtcdHistoryTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    // file, calls, calls that never returned (:info), reads that timed out, Porcupine's verdict
    public static TheoryData<string, int, int, int, bool> Files => new()
    {
        { "etcd_002.log", 77, 19, 0, true },
        { "etcd_097.log", 78, 19, 0, false },
        { "etcd_102.log", 73, 18, 7, true },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void CheckEvents_JepsenEtcdLog_GivesPorcupinesVerdict(string file, int calls, int neverReturned, int timedOutReads, bool linearizable)
    {
        List<HistoryEvent<EtcdInput, EtcdOutput>> events = EtcdLog.Parse(File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Histories", "Etcd", file)));
        List<Operation<EtcdInput, EtcdOutput>> operations = Linearizability.ToOperations(events);
        Assert.Equal(calls, operations.Count);
        Assert.Equal(neverReturned, operations.Count(o => o.Return is null));
        Assert.Equal(timedOutReads, operations.Count(o => o.Return is not null && o.Input.Op == 'r' && o.Output.Outcome == EtcdOutcome.Unknown));

        LinearizabilityResult result = Linearizability.CheckEvents(EtcdLog.Model, events, Budget);

        Assert.Equal(linearizable ? LinearizabilityVerdict.Linearizable : LinearizabilityVerdict.NotLinearizable, result.Verdict);
    }

    [Fact]
    public void CheckEvents_NotLinearizableEtcdLog_ReportsWhereTheSearchGotStuck()
    {
        List<HistoryEvent<EtcdInput, EtcdOutput>> events = EtcdLog.Parse(File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Histories", "Etcd", "etcd_097.log")));

        string summary = Linearizability.CheckEvents(EtcdLog.Model, events, Budget).ToString();

        Assert.StartsWith("Not linearizable: the longest linearizable prefix has ", summary, StringComparison.Ordinal);
        Assert.Contains("then no call can come next that returned before call #", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CallWhileTheProcessesCallIsOpen_IsRefused()
    {
        string[] log =
        [
            "INFO  jepsen.util - 1\t:invoke\t:write\t1",
            "INFO  jepsen.util - 1\t:invoke\t:read\tnil",
        ];

        FormatException ex = Assert.Throws<FormatException>(() => EtcdLog.Parse(log));
        Assert.Contains("Line 2: process 1 calls again", ex.Message, StringComparison.Ordinal);
    }
}
