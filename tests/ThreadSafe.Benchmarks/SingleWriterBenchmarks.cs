using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using ThreadSafe;

namespace ThreadSafe.Benchmarks;

/// <summary>
/// Round trip of one no-op write: the caller submits and awaits the result from a dedicated consumer. Baseline: the same
/// request/response over a bounded Channel(1) read by a consumer task, each request carrying its own completion source.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class SingleWriterBenchmarks
{
    private SingleWriter<object> _writer = null!;
    private Channel<TaskCompletionSource<int>> _channel = null!;
    private Task _consumer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _writer = new SingleWriter<object>(() => new object());
        _channel = Channel.CreateBounded<TaskCompletionSource<int>>(new BoundedChannelOptions(1) { SingleReader = true });
        _consumer = Task.Run(async () =>
        {
            await foreach (TaskCompletionSource<int> request in _channel.Reader.ReadAllAsync())
            {
                request.TrySetResult(1);
            }
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.CompleteAsync().GetAwaiter().GetResult();
        _channel.Writer.Complete();
        _consumer.GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "Channel(1) request/response")]
    public async Task<int> ChannelRoundTrip()
    {
        var request = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _channel.Writer.WriteAsync(request);
        return await request.Task;
    }

    [Benchmark(Description = "SingleWriter.ExecuteAsync no-op")]
    public Task<int> ExecuteAsyncRoundTrip() => _writer.ExecuteAsync(static _ => 1);
}
