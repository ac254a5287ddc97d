using System.Diagnostics;

namespace ThreadSafe;

/// <content>Queue items: one per submitted write.</content>
public sealed partial class SingleWriter<TResource>
{
    private abstract class WorkItem(SingleWriter<TResource> owner)
    {
        // 0 = pending, 1 = claimed. Exactly one of the writer (just before running it, or to fail it with its abandoned
        // batch), a cancellation callback (to cancel it) or a failed open (to fail it) claims an item. Its room in the
        // queue is released once: by the writer when it takes the item into a batch (under _gate), else by the claimant.
        // Interlocked makes the race atomic; Volatile.Read in IsClaimed sees a claim made by another thread before it
        // took _gate.
        private int _claimed;

        protected SingleWriter<TResource> Owner { get; } = owner;

        // Written before the item is queued (under _gate), read by the writer after dequeuing it (under _gate).
        public long EnqueuedAt { get; set; }

        // Written and read only by the writer thread.
        protected Exception? Error { get; set; }

        // Written and read only by the writer thread: true once it claimed the item to run it.
        public bool Started { get; set; }

        public bool IsClaimed => Volatile.Read(ref _claimed) != 0;

        // Guarded by the owner's _gate: true while the item is in the queue or its overflow line (counted in the metric);
        // cleared when the writer takes it into a batch.
        public bool Queued { get; set; }

        // Guarded by the owner's _gate: true while the item is in the bounded queue and counts in _admitted (until the
        // writer takes it, or its cancellation releases its room).
        public bool Admitted { get; set; }

        // Guarded by the owner's _gate. Set only for a Post waiting in the overflow: the writer sets it on admission.
        public ManualResetEvent? AdmittedEvent { get; set; }

        public bool TryClaim() => Interlocked.CompareExchange(ref _claimed, 1, 0) == 0;

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

        public void Reject(Exception rejection)
        {
            _registration.Unregister();
            _tcs.TrySetException(rejection);
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
            else
            {
                _tcs.TrySetException(error);
            }
        }

        private void Cancel(CancellationToken token)
        {
            if (TryClaim())
            {
                Owner.OnCancelled(this);
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
