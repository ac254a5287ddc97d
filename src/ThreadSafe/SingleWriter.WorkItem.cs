using System.Diagnostics;

namespace ThreadSafe;

/// <content>Queue items: one per submitted write.</content>
public sealed partial class SingleWriter<TResource>
{
    private abstract class WorkItem(SingleWriter<TResource> owner)
    {
        // An ItemState. Every move is a compare-and-swap through TryMove, so the writer (taking, running or failing the
        // item), a cancellation callback and a failing open never both win: exactly one decides the item's fate.
        // Interlocked gives the ordering: whoever sees the new state also sees what its mover wrote before the move.
        private int _state;

        protected SingleWriter<TResource> Owner { get; } = owner;

        public ItemState State => (ItemState)Volatile.Read(ref _state);

        // Written before the item is queued (under _gate), read by the writer after dequeuing it (under _gate).
        public long EnqueuedAt { get; set; }

        // Written and read only by the writer thread.
        protected Exception? Error { get; set; }

        // Guarded by the owner's _gate. Set only for a Post waiting in the overflow: the writer sets it on admission.
        public ManualResetEvent? AdmittedEvent { get; set; }

        // The one transition helper of an item: moves it from 'from' to 'to' if it is still in 'from'.
        public bool TryMove(ItemState from, ItemState to)
        {
            Debug.Assert(IsAllowed(from, to), $"A write cannot move from {from} to {to}.");
            return Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;
        }

        // Moves a write that has not started to Cancelled. Returns the state it left (Running, or a final state, if
        // it was too late: then nothing changed).
        public ItemState TryCancel()
        {
            while (true)
            {
                ItemState current = State;
                if (current is ItemState.Running or ItemState.Acknowledged or ItemState.Cancelled or ItemState.Failed)
                {
                    return current;
                }

                if (TryMove(current, ItemState.Cancelled))
                {
                    return current;
                }
            }
        }

        // Moves a write that has not started to Failed (the writer stopped, or its batch was abandoned). Returns whether
        // this call failed it (false: it was cancelled, or it had run).
        public bool TryFail()
        {
            while (true)
            {
                ItemState current = State;
                if (current is not (ItemState.New or ItemState.Queued or ItemState.Admitted or ItemState.Taken))
                {
                    return false;
                }

                if (TryMove(current, ItemState.Failed))
                {
                    return true;
                }
            }
        }

        // Runs the write on the writer thread; returns false (and keeps the exception) if it threw.
        public abstract bool Run(TResource resource);

        // Completes the caller after the batch ended: with batchError if the batch failed, else with the write's outcome.
        public abstract void Acknowledge(Exception? batchError);

        protected void RecordLatency() => SingleWriterMetrics.WriteDone(Owner.Name, EnqueuedAt);
    }

    private sealed class FuncItem<TResult>(SingleWriter<TResource> owner, Func<TResource, TResult> write) : WorkItem(owner)
    {
        private readonly TaskCompletionSource<TResult> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private CancellationTokenRegistration _registration;
        private TResult _result = default!;

        public Task<TResult> Task => _tcs.Task;

        // Called before the item is queued, so the writer (which dequeues under _gate) sees _registration.
        public void RegisterCancellation(CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((FuncItem<TResult>)state!).Cancel(token), this);
            }
        }

        // Fails a write that was refused at submission (it is New, or was cancelled meanwhile).
        public void Reject(Exception rejection)
        {
            _registration.Unregister();
            if (TryMove(ItemState.New, ItemState.Failed))
            {
                _tcs.TrySetException(rejection);
            }
        }

        public override bool Run(TResource resource)
        {
            try
            {
                _result = write(resource);
                return true;
            }
            catch (Exception ex)
            {
                Error = ex;
                return false;
            }
        }

        public override void Acknowledge(Exception? batchError)
        {
            // Never called with _gate held: completing a caller runs no code of ours under the lock.
            _registration.Unregister();
            RecordLatency();
            Exception? error = batchError ?? Error;
            if (error is null)
            {
                _tcs.TrySetResult(_result);
            }
            else if (error is OperationCanceledException cancelled && batchError is null)
            {
                _tcs.TrySetCanceled(cancelled.CancellationToken); // the write stopped on a token: rolled back alone
            }
            else
            {
                _tcs.TrySetException(error);
            }
        }

        private void Cancel(CancellationToken token)
        {
            ItemState left = TryCancel();
            if (left is ItemState.New or ItemState.Queued or ItemState.Admitted or ItemState.Taken)
            {
                Owner.OnCancelled(left);
                _tcs.TrySetCanceled(token);
            }
        }
    }

    private sealed class PostItem(SingleWriter<TResource> owner, Action<TResource> write) : WorkItem(owner)
    {
        public override bool Run(TResource resource)
        {
            try
            {
                write(resource);
                return true;
            }
            catch (Exception ex)
            {
                Error = ex;
                return false;
            }
        }

        public override void Acknowledge(Exception? batchError)
        {
            RecordLatency();
            Exception? error = batchError ?? Error;
            if (error is not null)
            {
                Owner.ReportError(error);
            }
        }
    }
}
