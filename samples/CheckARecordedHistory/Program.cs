// Records histories of two small key-value stores used by many threads at once, checks each for
// linearizability with ThreadSafe.Testing.Histories, and writes the HTML report of the failure.
//   dotnet run -c Release --project samples/CheckARecordedHistory [-- report.html]
// Exits 0 when the correct store passes and the store with a stale-read bug is caught.
using ThreadSafe.Testing.Histories;

string reportPath = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "stale-read-report.html");

// The model: one register per key (so the history is checked key by key, in parallel).
var model = new Model<string?, KvCall, string?>
{
    Init = () => null,
    Step = (value, call, output) => call.Op == "put" ? (true, call.Value) : (output == value, value),
    Partition = history => history.GroupBy(o => o.Input.Key).Select(g => (IReadOnlyList<Operation<KvCall, string?>>)g.ToList()),
    DescribeOperation = (call, output) => call.Op == "put" ? $"put({call.Key}, {call.Value})" : $"get({call.Key}) -> {output ?? "null"}",
    DescribeState = value => value ?? "null",
};

LinearizabilityResult correct = Linearizability.Check(model, Record(new LockedStore()), TimeSpan.FromSeconds(30));
Console.WriteLine($"LockedStore:     {correct.Verdict}  ({correct})");

// The bug shows only when a reader's cache fill races a writer's invalidation: a few rounds find it.
LinearizabilityResult? caught = null;
for (int round = 1; round <= 20 && caught is null; round++)
{
    LinearizabilityResult result = Linearizability.Check(model, Record(new CachingStore()), TimeSpan.FromSeconds(30));
    Console.WriteLine($"CachingStore #{round}: {result.Verdict}");
    caught = result.Verdict == LinearizabilityVerdict.NotLinearizable ? result : null;
}

if (caught is not null)
{
    Console.WriteLine(caught);
    caught.WriteHtml(reportPath);
    Console.WriteLine($"Report: {reportPath}");
}

bool ok = correct.Verdict == LinearizabilityVerdict.Linearizable && caught is not null;
Console.WriteLine(ok ? "OK: the correct store passed, the stale read was caught." : "FAILED: unexpected verdicts.");
return ok ? 0 : 1;

// Eight threads, 150 calls each, on four keys: puts of unique values and gets, each recorded with its
// call and return time on one monotonic clock.
static IReadOnlyList<Operation<KvCall, string?>> Record(IStore store)
{
    var recorder = new HistoryRecorder<KvCall, string?>();
    var threads = Enumerable.Range(0, 8).Select(client => new Thread(() =>
    {
        var random = new Random(client);
        for (int i = 0; i < 150; i++)
        {
            string key = "k" + random.Next(4);
            KvCall call = random.Next(3) == 0 ? new KvCall("put", key, $"{client}.{i}") : new KvCall("get", key, null);
            recorder.Record(client, call, c => c.Op == "put" ? store.Put(c.Key, c.Value!) : store.Get(c.Key));
        }
    })).ToList();
    threads.ForEach(t => t.Start());
    threads.ForEach(t => t.Join());
    return recorder.ToHistory();
}

/// <summary>What a call asks: <c>put(key, value)</c> or <c>get(key)</c>.</summary>
internal sealed record KvCall(string Op, string Key, string? Value);

internal interface IStore
{
    string? Get(string key);

    string? Put(string key, string value);
}

/// <summary>Correct: every call holds one lock.</summary>
internal sealed class LockedStore : IStore
{
    private readonly object _gate = new(); // guards _values
    private readonly Dictionary<string, string> _values = [];

    public string? Get(string key)
    {
        lock (_gate)
        {
            return _values.GetValueOrDefault(key);
        }
    }

    public string? Put(string key, string value)
    {
        lock (_gate)
        {
            _values[key] = value;
            return null;
        }
    }
}

/// <summary>
/// Buggy: a read cache in front of the locked store. A get that misses reads the store, then fills the
/// cache; a put writes the store, then evicts the key. When a put lands between a get's read and its fill,
/// the cache keeps the old value: later gets return it although the put returned long before (stale read).
/// </summary>
internal sealed class CachingStore : IStore
{
    private readonly LockedStore _store = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> _cache = new();

    public string? Get(string key)
    {
        if (_cache.TryGetValue(key, out string? cached))
        {
            return cached;
        }

        string? value = _store.Get(key);
        Thread.Yield(); // widens the window a real cache has between reading the store and filling the cache
        _cache[key] = value;
        return value;
    }

    public string? Put(string key, string value)
    {
        _store.Put(key, value);
        _cache.TryRemove(key, out _);
        return null;
    }
}
