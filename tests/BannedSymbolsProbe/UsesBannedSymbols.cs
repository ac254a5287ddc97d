using System.Collections.Concurrent;
using System.Threading.Channels;

namespace BannedSymbolsProbe;

// Each line marked "// banned" must be reported as RS0030 by the build (.ci/run checks the line numbers).
internal sealed class UsesBannedSymbols
{
    public static void Use()
    {
        using var slimEvent = new ManualResetEventSlim(); // banned
        using var rw = new ReaderWriterLockSlim(); // banned
        using var barrier = new Barrier(2); // banned
        using var countdown = new CountdownEvent(1); // banned
        using var mutex = new Mutex(); // banned
        using var semaphore = new Semaphore(1, 1); // banned
        var spin = new SpinLock(); // banned
        var monitorLock = new Lock(); // banned
        var channel = Channel.CreateBounded<int>(1); // banned
        var options = new BoundedChannelOptions(1); // banned
        using var blocking = new BlockingCollection<int>(); // banned
        using var timer = new Timer(_ => { }); // banned
        using var timersTimer = new System.Timers.Timer(); // banned
        using var periodic = new PeriodicTimer(TimeSpan.FromSeconds(1)); // banned
        using var selfCancelling = new CancellationTokenSource(TimeSpan.FromSeconds(1)); // banned
        using var cts = new CancellationTokenSource();
        cts.CancelAfter(TimeSpan.FromSeconds(1)); // banned
        _ = (spin, monitorLock, channel, options);
    }

    public static bool Drain(ChannelReader<int> reader) => reader.TryRead(out _); // banned
}
