using System.Diagnostics;
using ThreadSafe.Diagnostics;

namespace ThreadSafe;

/// <content>The queue of waiters of the asynchronous lock: a waiter, and its removal when its token fires before the hand-off.</content>
public sealed partial class AsyncGuarded<T>
{
    // Token callback. Removes the waiter if it is still queued; if Release already dequeued it, the
    // hand-off won the race and the waiter owns the lock, so the cancellation is ignored.
    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!waiter.Queued)
            {
                return;
            }

            Unlink(waiter);
        }

        if (waiter.Entry is { } entry)
        {
            _identity.TrackedState!.Remove(entry);
        }

        bool cancelled = waiter.Completion.TrySetCanceled(cancellationToken);
        Debug.Assert(cancelled, "A removed waiter is completed only here.");
    }

    private void Unlink(Waiter waiter)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "The queue is changed only under _gate.");
        Debug.Assert(waiter.Queued, "Only a queued waiter can be unlinked.");
        if (waiter.Previous is null)
        {
            _head = waiter.Next;
        }
        else
        {
            waiter.Previous.Next = waiter.Next;
        }

        if (waiter.Next is null)
        {
            _tail = waiter.Previous;
        }
        else
        {
            waiter.Next.Previous = waiter.Previous;
        }

        waiter.Next = null;
        waiter.Previous = null;
        waiter.Queued = false;
    }

    private sealed class Waiter(AsyncGuarded<T> owner)
    {
        public AsyncGuarded<T> Owner { get; } = owner;

        // Completed exactly once, outside _gate: by Release (hand-off) or by Cancel, whichever dequeued it.
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Guarded by Owner._gate.
        public Waiter? Next { get; set; }

        // Guarded by Owner._gate.
        public Waiter? Previous { get; set; }

        // Guarded by Owner._gate. True from enqueue until Release hands it the lock or Cancel removes it.
        public bool Queued { get; set; }

        // Written by the waiting caller after enqueueing, read by the same caller after the wait.
        public CancellationTokenRegistration Registration { get; set; }

        // The diagnostics entry of the waiting flow, null when not tracked. Set before the waiter is queued, then read-only.
        public LockEntry? Entry { get; init; }
    }
}
