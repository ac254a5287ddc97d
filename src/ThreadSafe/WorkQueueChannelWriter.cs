using System.Threading.Channels;

namespace ThreadSafe;

/// <summary>
/// The <see cref="ChannelWriter{T}"/> returned by <see cref="WorkQueue{T}.Writer"/>: a stateless view that maps the
/// Channel writer contract onto the queue's producer side. It holds no items and no lock of its own; the queue does
/// all the synchronization (Channels appear only in this type's signature).
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
internal sealed class WorkQueueChannelWriter<T>(WorkQueue<T> queue) : ChannelWriter<T>
{
    public override bool TryWrite(T item) => queue.TryAdd(item);

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default)
    {
        ValueTask<bool> wait = queue.WaitForSpaceAsync(cancellationToken);
        if (!wait.IsCompletedSuccessfully)
        {
            return new ValueTask<bool>(WaitSlowAsync(wait.AsTask()));
        }

        if (wait.Result)
        {
            return new ValueTask<bool>(true);
        }

        // Closed. Like a Channel completed with an error, report the error given to TryComplete, if any.
        Exception? error = queue.WriterCompletionError;
        return error is null ? new ValueTask<bool>(false) : ValueTask.FromException<bool>(error);
    }

    public override ValueTask WriteAsync(T item, CancellationToken cancellationToken = default)
    {
        ValueTask add = queue.AddAsync(item, cancellationToken);
        if (add.IsCompletedSuccessfully)
        {
            return add;
        }

        return new ValueTask(WriteSlowAsync(add.AsTask()));
    }

    public override bool TryComplete(Exception? error = null) => queue.TryCompleteWriting(error);

    public override string ToString() => $"ChannelWriter over {queue}";

    private async Task<bool> WaitSlowAsync(Task<bool> wait)
    {
        if (await wait.ConfigureAwait(false))
        {
            return true;
        }

        Exception? error = queue.WriterCompletionError;
        return error is null ? false : throw error;
    }

    private async Task WriteSlowAsync(Task add)
    {
        try
        {
            await add.ConfigureAwait(false);
        }
        catch (InvalidOperationException refused)
        {
            throw Closed(refused);
        }
    }

    // A write refused because the queue stopped accepting, as a Channel reports it: the error given to TryComplete
    // (an OperationCanceledException as itself, any other wrapped in a ChannelClosedException), or else a
    // ChannelClosedException around the queue's own explanation.
    private Exception Closed(InvalidOperationException refused)
    {
        Exception? error = queue.WriterCompletionError;
        return error switch
        {
            null => new ChannelClosedException(refused.Message, refused),
            OperationCanceledException canceled => canceled,
            _ => new ChannelClosedException(error),
        };
    }
}
