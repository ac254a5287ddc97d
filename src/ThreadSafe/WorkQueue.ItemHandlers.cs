using System.Runtime.CompilerServices;

namespace ThreadSafe;

/// <content>
/// The two kinds of per-item handler of <see cref="WorkQueue{T}"/> as structs, so that one per-item loop (RunItems) serves
/// both and is compiled once per kind, as the guards' bodies are (GuardedBodies.cs).
/// </content>
public sealed partial class WorkQueue<T>
{
    // A per-item handler bound to what it needs.
    private interface IItemHandler
    {
        // Runs the handler on the item. Returns true when it is over (an exception it threw is thrown here, as an await
        // would throw it); false when the consumer must await its task, pending (only on a thread-pool consumer: see
        // BlockIfDedicated). pending is meaningless when it returns true.
        bool Run(T item, Consumer consumer, out ValueTask pending);
    }

    // Action<T>: a direct call, always over when it returns. The consumer marks its thread as a handler of the queue for
    // the whole batch (ProcessBatch).
    private readonly struct SyncItemHandler(Action<T> handler) : IItemHandler
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Run(T item, Consumer consumer, out ValueTask pending)
        {
            handler(item);
            pending = default;
            return true;
        }
    }

    // Func<T, CancellationToken, ValueTask>, given the queue's abort token, marked as a handler of the queue on this thread
    // up to its first await (StartMarked).
    private readonly struct AsyncItemHandler(WorkQueue<T> queue, CancellationToken abortToken) : IItemHandler
    {
        public bool Run(T item, Consumer consumer, out ValueTask pending)
        {
            ValueTask started = BlockIfDedicated(queue.StartMarked(queue._asyncHandler!, item, abortToken), consumer);
            if (!started.IsCompleted)
            {
                pending = started;
                return false;
            }

            pending = default;
            started.GetAwaiter().GetResult();
            return true;
        }
    }

    // Where a consumer is in its batch, and what it counted for Flush. Written only by that consumer.
    private struct ItemProgress
    {
        // The index in the batch of the next item to start.
        public int Next;

        // Items handled, and items whose handler threw (OnHandlerError), so far.
        public int Processed;
        public int Failed;

        // The item whose asynchronous handler the consumer awaits (RunItems returned false), at index Next - 1.
        public T? Awaited;
    }
}
