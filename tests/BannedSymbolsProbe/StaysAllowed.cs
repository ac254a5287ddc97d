using System.Threading.Channels;

namespace BannedSymbolsProbe;

/// <summary>
/// What src/ may use: a <see cref="ChannelWriter{T}"/> adapter type (unlike <see cref="Channel{T}"/>), and
/// the primitives Coyote controls. Nothing here may be reported.
/// </summary>
internal sealed class StaysAllowed : ChannelWriter<int>
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private readonly ManualResetEvent _manual = new(false);
    private readonly AutoResetEvent _auto = new(false);
    private int _count;

    public override bool TryWrite(int item)
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }

        Interlocked.Increment(ref _count);
        return Volatile.Read(ref _count) > item;
    }

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_semaphore.CurrentCount > 0 && !_manual.WaitOne(0) && !_auto.WaitOne(0));

    public static async Task DelayAsync() => await Task.Delay(1).ConfigureAwait(false);
}
