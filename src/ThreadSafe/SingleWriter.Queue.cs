using System.Diagnostics;

namespace ThreadSafe;

/// <content>The bounded queue: admission in submission order, back pressure, cancellation of waiting writes.</content>
public sealed partial class SingleWriter<TResource>
{
    // Accepts the item into the queue (or its overflow when full), unless the writer no longer accepts writes: then
    // returns the exception to report. A Post that lands in the overflow blocks here until it is admitted.
    private Exception? TryEnqueue(WorkItem item)
    {
        ManualResetEvent? admitted = null;
        TaskCompletionSource? delayEnd = null;
        lock (_gate)
        {
            Exception? rejection = RejectionLocked();
            if (rejection is not null)
            {
                return rejection;
            }

            if (item.IsClaimed)
            {
                return null; // cancelled before it was queued: its task is already cancelled
            }

            item.EnqueuedAt = Stopwatch.GetTimestamp();
            item.Queued = true;
            if (_overflow.Count == 0 && _admitted < Capacity)
            {
                AdmitLocked(item, ref delayEnd);
            }
            else
            {
                if (item is PostItem)
                {
                    admitted = item.AdmittedEvent = new ManualResetEvent(false);
                }

                _overflow.Enqueue(item);
            }
        }

        delayEnd?.TrySetResult();
        SingleWriterMetrics.QueueChanged(Name, +1);
        if (admitted is not null)
        {
            // Fire and forget still blocks while the queue is full: this is the back pressure. The writer (or a failed
            // open) sets the event after moving the item into the queue (or failing it), never while holding _gate.
            admitted.WaitOne();
            admitted.Dispose();
        }

        return null;
    }

    // Puts the item into the bounded queue. If it fills a batch whose commit the writer holds back, hands out the
    // delay's end in delayEnd, to complete after leaving the lock.
    private void AdmitLocked(WorkItem item, ref TaskCompletionSource? delayEnd)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Called with the lock held.");
        Debug.Assert(_admitted < Capacity, "Admission respects the capacity.");
        item.Admitted = true;
        _queue.Enqueue(item);
        _admitted++;
        if (_writerWaiting)
        {
            Monitor.Pulse(_gate); // only the writer thread ever waits on _gate
        }

        if (_commitDelayEnd is not null && --_commitDelayRoom <= 0)
        {
            delayEnd = TakeCommitDelayEndLocked();
        }
    }

    // Ends a commit delay in progress, if any: returns its signal (to complete after leaving the lock).
    private TaskCompletionSource? TakeCommitDelayEndLocked()
    {
        TaskCompletionSource? delayEnd = _commitDelayEnd;
        _commitDelayEnd = null;
        return delayEnd;
    }

    // Moves waiting items into free room, in order. Returns the events of admitted Posts, to set after leaving the lock,
    // and in delayEnd the end of a commit delay that the admitted items fill.
    private List<ManualResetEvent>? AdmitWaitingLocked(ref TaskCompletionSource? delayEnd)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Called with the lock held.");
        List<ManualResetEvent>? wake = null;
        while (_admitted < Capacity && _overflow.TryDequeue(out WorkItem? next))
        {
            if (next.AdmittedEvent is { } admitted)
            {
                (wake ??= []).Add(admitted);
            }

            if (!next.IsClaimed)
            {
                AdmitLocked(next, ref delayEnd);
            }
        }

        return wake;
    }

    private static void Wake(List<ManualResetEvent>? events)
    {
        if (events is null)
        {
            return;
        }

        foreach (ManualResetEvent admitted in events)
        {
            admitted.Set();
        }
    }

    // Called by a cancellation callback that claimed the item: frees its room in the queue, if it had been admitted.
    private void OnCancelled(WorkItem item)
    {
        Debug.Assert(item.IsClaimed, "Only the claimant releases an item's room.");
        List<ManualResetEvent>? wake = null;
        TaskCompletionSource? delayEnd = null;
        bool queued;
        lock (_gate)
        {
            queued = item.Queued;
            if (item.Admitted)
            {
                _admitted--;
                wake = AdmitWaitingLocked(ref delayEnd);
                if (_writerWaiting)
                {
                    Monitor.Pulse(_gate); // a completing writer may be waiting for this room to drain the overflow
                }
            }
        }

        if (queued)
        {
            SingleWriterMetrics.QueueChanged(Name, -1); // a write cancelled before it was queued was never counted
        }

        delayEnd?.TrySetResult();
        Wake(wake);
    }
}
