// The public history checker (ThreadSafe.Testing.Histories) on simulated Jepsen-like histories of 100, 1,000
// and 10,000 calls: a register (one key), and a key-value store of 10 keys checked partitioned by key (in
// parallel) and unpartitioned (one state of 10 values). Half the sets are correct, half have a lost write.
//   dotnet run -c Release --project tests/ThreadSafe.Benchmarks -- --filter '*HistoryBenchmarks*' --job short
// The same histories, for another checker: dotnet run -c Release --project tests/ThreadSafe.Benchmarks -- export-histories DIR
using System.Globalization;
using BenchmarkDotNet.Attributes;
using ThreadSafe.Testing.Histories;
using ThreadSafe.Testing.Tests.Histories;

namespace ThreadSafe.Benchmarks;

[MemoryDiagnoser]
public class HistoryBenchmarks
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(5);

    private List<Operation<RegisterInput, int?>> _register = null!;
    private List<Operation<RegisterInput, int?>> _kv = null!;

    [Params(100, 1_000, 10_000)]
    public int Calls { get; set; }

    [Params(StoreFault.None, StoreFault.LostWrite)]
    public StoreFault Fault { get; set; }

    public static Model<int[], RegisterInput, int?> KvUnpartitioned { get; } = new()
    {
        Init = () => new int[10],
        Step = (state, input, output) =>
        {
            (bool ok, int next) = ThreadSafe.Testing.Tests.Histories.Register.Step(state[input.Key], input, output);
            if (!ok || next == state[input.Key])
            {
                return (ok, state);
            }

            int[] copy = (int[])state.Clone();
            copy[input.Key] = next;
            return (true, copy);
        },
        Equal = (a, b) => a.AsSpan().SequenceEqual(b),
        Hash = s =>
        {
            var hash = default(HashCode);
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(s.AsSpan()));
            return hash.ToHashCode();
        },
    };

    public static List<Operation<RegisterInput, int?>> RegisterHistory(int calls, StoreFault fault) =>
        JepsenLikeHistories.Generate(20261129, keys: 1, calls, clients: 8, fault);

    public static List<Operation<RegisterInput, int?>> KvHistory(int calls, StoreFault fault) =>
        JepsenLikeHistories.Generate(20261129, keys: 10, calls / 10, clients: 20, fault);

    [GlobalSetup]
    public void Setup()
    {
        _register = RegisterHistory(Calls, Fault);
        _kv = KvHistory(Calls, Fault);
        LinearizabilityVerdict expected = Fault == StoreFault.None ? LinearizabilityVerdict.Linearizable : LinearizabilityVerdict.NotLinearizable;
        // Unpartitioned, 20 clients over 10 keys overlap too much for any budget beyond 100 calls: that
        // benchmark measures how fast the budget gives Unknown, so its verdict is not checked.
        if (Register() != expected || KvPartitioned() != expected)
        {
            throw new InvalidOperationException("A generated history does not have its known verdict.");
        }
    }

    [Benchmark(Baseline = true)]
    public LinearizabilityVerdict Register() => Linearizability.Check(ThreadSafe.Testing.Tests.Histories.Register.Model, _register, Budget).Verdict;

    [Benchmark]
    public LinearizabilityVerdict KvPartitioned() => Linearizability.Check(ThreadSafe.Testing.Tests.Histories.Register.PartitionedByKey, _kv, Budget).Verdict;

    [Benchmark(Description = "KvUnpartitioned")]
    public LinearizabilityVerdict KvUnpartitionedCheck() => Linearizability.Check(KvUnpartitioned, _kv, TimeSpan.FromSeconds(10)).Verdict;

    /// <summary>Writes every benchmark history as text (one call per line) for another checker to read.</summary>
    public static void Export(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (int calls in new[] { 100, 1_000, 10_000 })
        {
            foreach (StoreFault fault in new[] { StoreFault.None, StoreFault.LostWrite })
            {
                Write(Path.Combine(directory, FormattableString.Invariant($"register-{calls}-{fault}.txt")), RegisterHistory(calls, fault));
                Write(Path.Combine(directory, FormattableString.Invariant($"kv-{calls}-{fault}.txt")), KvHistory(calls, fault));
            }
        }

        // Line: client key op a b call return output; return -1 = never returned; output -1 = none or unknown.
        static void Write(string path, List<Operation<RegisterInput, int?>> history) =>
            File.WriteAllLines(path, history.Select(o => string.Join(
                ' ',
                o.ClientId,
                o.Input.Key,
                o.Input.Op,
                o.Input.A,
                o.Input.B,
                o.Call,
                o.Return ?? -1,
                o.Output ?? -1).ToString(CultureInfo.InvariantCulture)));
    }
}
