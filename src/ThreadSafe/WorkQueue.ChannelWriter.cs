using System.Threading.Channels;

namespace ThreadSafe;

/// <content>The <see cref="ChannelWriter{T}"/> view of <see cref="WorkQueue{T}"/>, and the queue hooks it is built on.</content>
public sealed partial class WorkQueue<T>
{
    // Published once: the first reader of Writer creates it and Interlocked.CompareExchange keeps the first instance,
    // so every caller sees the same writer (the adapter is stateless, so a losing instance is simply dropped).
    private WorkQueueChannelWriter<T>? _writer;

    // Guarded by _gate. True once the writer's TryComplete closed the queue (so a second TryComplete returns false), and
    // the exception it was given, if any: reported to writers that find the queue closed, as a Channel does.
    private bool _writerCompleted;
    private Exception? _writerCompletionError;

    /// <summary>
    /// Gets a <see cref="ChannelWriter{T}"/> over this queue, for code written against System.Threading.Channels.
    /// Every call returns the same writer.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The writer is a view: <see cref="ChannelWriter{T}.TryWrite"/> is <see cref="TryAdd"/>,
    /// <see cref="ChannelWriter{T}.WriteAsync"/> is <see cref="AddAsync"/> (back pressure: it waits while the queue is
    /// full), and <see cref="ChannelWriter{T}.WaitToWriteAsync"/> waits until a slot is free (<see langword="true"/>) or
    /// the queue stops accepting items (<see langword="false"/>).
    /// </para>
    /// <para>
    /// <see cref="ChannelWriter{T}.TryComplete"/> is the poison pill, <see cref="CompleteAsync()"/>: the queue stops
    /// accepting and its consumers drain every accepted item; await <see cref="Completion"/> for the end of the drain.
    /// It returns <see langword="true"/> only for the call that closed a queue that was still accepting items. An
    /// exception passed to it never drops an accepted item and never faults <see cref="Completion"/> (which reports the
    /// handlers): it is reported to writers, as a Channel reports it, by <c>WaitToWriteAsync</c> (which throws it) and
    /// by <c>WriteAsync</c> (which throws a <see cref="ChannelClosedException"/> carrying it).
    /// </para>
    /// <para>
    /// A write refused because the queue no longer accepts items (completed, aborted or faulted) throws a
    /// <see cref="ChannelClosedException"/> whose inner exception is the queue's <see cref="InvalidOperationException"/>.
    /// </para>
    /// </remarks>
    public ChannelWriter<T> Writer
    {
        get
        {
            WorkQueueChannelWriter<T>? writer = Volatile.Read(ref _writer);
            if (writer is null)
            {
                Interlocked.CompareExchange(ref _writer, new WorkQueueChannelWriter<T>(this), null);
                writer = Volatile.Read(ref _writer)!;
            }

            return writer;
        }
    }

    // TryComplete(error) of the writer: records the error, then completes the queue like CompleteAsync (through it, so
    // the poison pill has one implementation). Returns true if the queue was accepting and no TryComplete came first.
    internal bool TryCompleteWriting(Exception? error)
    {
        lock (_gate)
        {
            if (_state != Open || _writerCompleted)
            {
                return false;
            }

            _writerCompleted = true;
            _writerCompletionError = error;
        }

        _ = CompleteAsync();
        return true;
    }

    // The exception given to TryComplete, if any. Written under _gate before the queue stops accepting, so a writer that
    // was refused (it read the new state under _gate) sees it.
    internal Exception? WriterCompletionError
    {
        get
        {
            lock (_gate)
            {
                return _writerCompletionError;
            }
        }
    }

    // WaitToWriteAsync: true as soon as a slot is free, false once the queue no longer accepts items.
    internal ValueTask<bool> WaitForSpaceAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        TaskCompletionSource? waiter = RegisterSpaceWaitIfFull(out bool accepting);
        if (!accepting)
        {
            return new ValueTask<bool>(false);
        }

        // The slow path is a Task, as in AddAsync: a Task-backed ValueTask is one Coyote can follow.
        return waiter is null ? new ValueTask<bool>(true) : new ValueTask<bool>(WaitForSpaceSlowAsync(waiter, cancellationToken));
    }

    private async Task<bool> WaitForSpaceSlowAsync(TaskCompletionSource waiter, CancellationToken cancellationToken)
    {
        while (true)
        {
            await WaitForSpaceWakeupAsync(waiter, waitStart: 0, cancellationToken).ConfigureAwait(false);
            TaskCompletionSource? next = RegisterSpaceWaitIfFull(out bool accepting);
            if (!accepting)
            {
                return false;
            }

            if (next is null)
            {
                // A consumer woke this waiter for a free slot, as it wakes one blocked producer per slot. Unlike a
                // producer, the caller of WaitToWriteAsync may never write, so the wake-up is passed on to the next
                // waiter, which uses the slot (AddAsync) or passes it on in turn (another WaitToWriteAsync). Waking one
                // too many is harmless: a waiter that finds the queue full again simply waits again.
                WakeOneSpaceWaiter();
                return true;
            }

            waiter = next; // the slot was taken by another producer: wait for the next one
        }
    }

    // Reads the state under _gate: not accepting (accepting = false), a free slot (null), or full: registers and returns a
    // space waiter, with the same re-check as TryEnqueueOrWait so a slot freed meanwhile is never missed (see
    // _spaceWaiterCount).
    private TaskCompletionSource? RegisterSpaceWaitIfFull(out bool accepting)
    {
        lock (_gate)
        {
            accepting = _state == Open;
            if (!accepting || Volatile.Read(ref _pending) < _capacity)
            {
                return null;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _spaceWaiters.Add(waiter);
            Interlocked.Increment(ref _spaceWaiterCount); // full fence before re-reading _pending (see the field)
            if (Volatile.Read(ref _pending) >= _capacity)
            {
                return waiter;
            }

            _spaceWaiters.RemoveAt(_spaceWaiters.Count - 1);
            Interlocked.Decrement(ref _spaceWaiterCount);
            return null;
        }
    }
}
