using System.Diagnostics;

namespace ThreadSafe;

/// <content>The writer's state machine and each write's state machine, with their one transition helper each.</content>
public sealed partial class SingleWriter<TResource>
{
    /// <summary>The life of the writer. Changed only under <c>_gate</c>, through <see cref="MoveLocked"/>.</summary>
    /// <remarks>
    /// Opening → Running → Completing → Closed is the normal life. CompleteAsync during Opening goes to Completing (the
    /// writer finishes opening, then drains). Opening or Completing → OpenFailed when <c>open</c> throws; any state →
    /// Broken when the loop itself fails. Closed, OpenFailed and Broken are final. Writes are accepted only in Opening and
    /// Running.
    /// </remarks>
    private enum WriterState
    {
        Opening,
        Running,
        Completing,
        Closed,
        OpenFailed,
        Broken,
    }

    /// <summary>The life of one write. Changed by compare-and-swap through <see cref="WorkItem.TryMove"/>.</summary>
    /// <remarks>
    /// New → Queued (waiting for room in the overflow line) → Admitted (in the bounded queue) → Taken (in the writer's
    /// batch) → Running → Acknowledged. A new write may be admitted at once. Cancelled: from New, Queued, Admitted or Taken
    /// (its token, before it ran). Failed: from New (refused), Queued or Admitted (the writer stopped), or Taken (its batch
    /// was abandoned). Acknowledged, Cancelled and Failed are final. Moves from Queued, Admitted and Taken race with a
    /// cancellation, so every move is a compare-and-swap: exactly one of "run it" and "cancel it" wins.
    /// </remarks>
    private enum ItemState
    {
        New,
        Queued,
        Admitted,
        Taken,
        Running,
        Acknowledged,
        Cancelled,
        Failed,
    }

    // Moves the writer to 'to', checking that the move is one the state machine allows.
    private void MoveLocked(WriterState to)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Called with the lock held.");
        Debug.Assert(IsAllowed(_state, to), $"The writer cannot move from {_state} to {to}.");
        _state = to;
    }

    private static bool IsAllowed(WriterState from, WriterState to) => (from, to) switch
    {
        (WriterState.Opening, WriterState.Running or WriterState.Completing or WriterState.OpenFailed) => true,
        (WriterState.Running, WriterState.Completing) => true,
        (WriterState.Completing, WriterState.Closed or WriterState.OpenFailed) => true,
        (WriterState.Opening or WriterState.Running or WriterState.Completing, WriterState.Broken) => true,
        _ => false,
    };

    private static bool IsAllowed(ItemState from, ItemState to) => (from, to) switch
    {
        (ItemState.New, ItemState.Queued or ItemState.Admitted or ItemState.Cancelled or ItemState.Failed) => true,
        (ItemState.Queued, ItemState.Admitted or ItemState.Cancelled or ItemState.Failed) => true,
        (ItemState.Admitted, ItemState.Taken or ItemState.Cancelled or ItemState.Failed) => true,
        (ItemState.Taken, ItemState.Running or ItemState.Cancelled or ItemState.Failed) => true,
        (ItemState.Running, ItemState.Acknowledged) => true,
        _ => false,
    };

    // Checked at every entry of _gate (debug builds only), as System.Threading.Channels' BoundedChannel does.
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Called with the lock held.");
        Debug.Assert(_admitted >= 0 && _admitted <= Capacity, $"{_admitted} admitted writes with a capacity of {Capacity}.");
        Debug.Assert(
            _state is WriterState.Opening or WriterState.Running or WriterState.Completing || (_queue.Count == 0 && _overflow.Count == 0),
            $"A {_state} writer holds no writes.");
        Debug.Assert(_commitDelayEnd is null || _state is WriterState.Running, "Only a running writer delays a commit.");
        Debug.Assert(_overflow.Count == 0 || _admitted == Capacity, "Writes wait for room only while the queue is full.");
        if (_overflow.TryPeek(out WorkItem? waiting))
        {
            Debug.Assert(waiting.State is ItemState.Queued or ItemState.Cancelled, $"A write waiting for room is {waiting.State}.");
        }

        if (_queue.TryPeek(out WorkItem? next))
        {
            Debug.Assert(next.State is ItemState.Admitted or ItemState.Cancelled, $"A write in the queue is {next.State}.");
        }
    }
}
