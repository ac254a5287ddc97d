using System.Diagnostics;

namespace ThreadSafe;

/// <content>The writer thread: open, take batches, run them with the hooks, acknowledge, close.</content>
public sealed partial class SingleWriter<TResource>
{
    private void WriterLoop()
    {
        t_current = this;
        Exception? endError = null;
        var batch = new List<WorkItem>(Math.Min(_maxBatchSize, 1024));
        try
        {
            if (Open())
            {
                while (TakeBatch(batch))
                {
                    RunBatch(batch);
                    if (_maxCommitDelay > TimeSpan.Zero)
                    {
                        _previousBatchSize = batch.Count;
                        _previousBatchDoneAt = Stopwatch.GetTimestamp();
                    }

                    batch.Clear();
                }

                endError = CloseResource();
            }
        }
        catch (Exception ex)
        {
            // Only a defect of this class can get here; never end the thread silently with callers waiting.
            endError = ex;
            AcknowledgeBatch(batch, ex);

            FailQueued(ex, opening: false);
        }
        finally
        {
            t_current = null;
            AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
            if (endError is null)
            {
                _completed.TrySetResult();
            }
            else
            {
                _completed.TrySetException(endError);
            }
        }
    }

    // Runs open on this thread. On failure, records the error (so every later call fails with it) and fails what is queued.
    private bool Open()
    {
        try
        {
            _resource = _open();
            _opened = true;
            return true;
        }
        catch (Exception ex)
        {
            FailQueued(ex, opening: true);
            return false;
        }
    }

    // Fails every queued write and makes every later call fail: after open threw, or after a defect of this class.
    private void FailQueued(Exception error, bool opening)
    {
        WorkItem[] queued, waiting;
        lock (_gate)
        {
            if (_openError is null)
            {
                _openError = error;
                _openFailed = opening;
            }

            queued = [.. _queue];
            waiting = [.. _overflow];
            _queue.Clear();
            _overflow.Clear();
            _admitted = 0;
        }

        // Only Posts still waiting for room are blocked on their event. A Post in _queue was admitted from the overflow:
        // its event was set then, and its thread may already have disposed it.
        foreach (WorkItem item in waiting)
        {
            item.AdmittedEvent?.Set();
        }

        foreach (WorkItem item in queued.Concat(waiting))
        {
            if (item.TryClaim())
            {
                SingleWriterMetrics.QueueChanged(Name, -1);
                item.Acknowledge(opening ? OpenFailed(error) : Stopped(error));
            }
        }
    }

    // Waits for work and moves up to _maxBatchSize live items into batch. Returns false once completing and drained.
    private bool TakeBatch(List<WorkItem> batch)
    {
        Debug.Assert(batch.Count == 0, "The previous batch was acknowledged and cleared.");
        List<ManualResetEvent>? wake;
        TaskCompletionSource? delayEnd, none = null;
        lock (_gate)
        {
            _inFlight = 0;
            while (true)
            {
                TakeQueuedLocked(batch);

                // The writer is not delaying here (_commitDelayEnd is null), so admitting hands out no delay end.
                wake = AdmitWaitingLocked(ref none);
                if (batch.Count > 0)
                {
                    _inFlight = batch.Count;
                    delayEnd = StartCommitDelayLocked(batch.Count);
                    break;
                }

                // The queue is empty, yet _admitted may still count an item whose cancellation claimed it but has not
                // yet taken _gate to give its room back; that callback admits the overflow and pulses this thread. So
                // while accepted writes wait in the overflow, completion must wait for that callback too.
                if (_completing && _overflow.Count == 0)
                {
                    return false;
                }

                _writerWaiting = true;
                Monitor.Wait(_gate);
                _writerWaiting = false;
            }
        }

        Wake(wake);
        int taken = batch.Count;
        if (delayEnd is not null)
        {
            DelayCommit(batch, delayEnd);
        }

        SingleWriterMetrics.QueueChanged(Name, -batch.Count);
        if (_maxCommitDelay > TimeSpan.Zero)
        {
            WritesJoinedDuringCommitDelays += batch.Count - taken;
        }

        return true;
    }

    // Moves live items from the queue into the batch, up to _maxBatchSize.
    private void TakeQueuedLocked(List<WorkItem> batch)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Called with the lock held.");
        while (batch.Count < _maxBatchSize && _queue.TryDequeue(out WorkItem? item))
        {
            // A claimed item was cancelled (its callback releases its room): it never runs. Otherwise the writer
            // takes the item's room back here, under _gate, so a cancellation arriving later (before RunBatch
            // claims the item) has nothing to release; RunBatch claims it only just before running it.
            if (!item.IsClaimed)
            {
                item.Admitted = false;
                item.Queued = false;
                _admitted--;
                batch.Add(item);
            }
        }
    }

    // Group commit with a delay (MaxCommitDelay, like PostgreSQL's commit_delay with commit_siblings): holds back a batch
    // that is not full only while other submitters are active, i.e. this batch or the one acknowledged just before
    // (within the last MaxCommitDelay) held more than one write. A lone writer awaiting each write is never delayed.
    private TaskCompletionSource? StartCommitDelayLocked(int taken)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "Called with the lock held.");
        if (_maxCommitDelay <= TimeSpan.Zero || _completing)
        {
            return null;
        }

        int room = _maxBatchSize - taken - _admitted;
        bool othersActive = taken > 1 ||
            (_previousBatchSize > 1 && Stopwatch.GetElapsedTime(_previousBatchDoneAt) <= _maxCommitDelay);
        if (room <= 0 || !othersActive)
        {
            return null;
        }

        _commitDelayRoom = room;
        return _commitDelayEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    // Waits up to MaxCommitDelay, or until admitted writes fill the batch, or until completion; then tops the batch up.
    // Task.Delay and Task.WaitAny are controlled by Coyote, so systematic tests explore writes racing this delay. The
    // batch's items were taken before the delay: a cancellation meanwhile claims its item, which RunBatch then skips.
    private void DelayCommit(List<WorkItem> batch, TaskCompletionSource delayEnd)
    {
        CommitDelays++;
        using (var stopTimer = new CancellationTokenSource())
        {
            Task.WaitAny([delayEnd.Task, Task.Delay(_maxCommitDelay, stopTimer.Token)]);
            stopTimer.Cancel();
        }

        List<ManualResetEvent>? wake;
        TaskCompletionSource? none = null;
        lock (_gate)
        {
            _commitDelayEnd = null;
            TakeQueuedLocked(batch);
            wake = AdmitWaitingLocked(ref none);
            _inFlight = batch.Count;
        }

        Wake(wake);
    }

    // Runs one batch through the hooks, then acknowledges every item: only after the commit, and with no lock held.
    // Each item is claimed just before it starts, so one cancelled while earlier writes of its batch run never runs; a
    // batch whose items were all cancelled runs no hook.
    private void RunBatch(List<WorkItem> batch)
    {
        TResource resource = _resource;
        Exception? batchError = null;
        bool begun = false;
        int started = 0;
        try
        {
            foreach (WorkItem item in batch)
            {
                if (!item.TryClaim())
                {
                    continue; // cancelled before it started: its task is cancelled and it never runs
                }

                item.Started = true;
                if (started++ == 0)
                {
                    _beginBatch?.Invoke(resource);
                    begun = true;
                }

                _beginWrite?.Invoke(resource);
                if (item.Run(resource))
                {
                    _endWrite?.Invoke(resource);
                }
                else
                {
                    _rollbackWrite?.Invoke(resource);
                }
            }

            if (begun)
            {
                _commitBatch?.Invoke(resource);
            }
        }
        catch (Exception ex)
        {
            batchError = ex;
            if (begun && _rollbackBatch is not null)
            {
                try
                {
                    _rollbackBatch(resource);
                }
                catch (Exception rollbackError)
                {
                    ReportError(rollbackError);
                }
            }
        }

        if (started > 0)
        {
            SingleWriterMetrics.BatchRan(Name, started);
        }

        AcknowledgeBatch(batch, batchError);
    }

    // Completes the caller of every item of the batch this thread claimed: those that ran and, when the batch was
    // abandoned, those it had not reached (claimed now, so they fail with the batch's error). Cancelled items are skipped.
    private static void AcknowledgeBatch(List<WorkItem> batch, Exception? batchError)
    {
        foreach (WorkItem item in batch)
        {
            if (item.Started || (batchError is not null && item.TryClaim()))
            {
                item.Acknowledge(batchError);
            }
        }
    }

    private Exception? CloseResource()
    {
        try
        {
            switch (_resource)
            {
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
                case IAsyncDisposable asyncDisposable:
                    asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    break;
            }

            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
        finally
        {
            _opened = false;
        }
    }

    // Process exit: stop accepting, give accepted writes a bounded time to commit, and report any that did not.
    private void OnProcessExit(object? sender, EventArgs e)
    {
        int unacknowledged = DrainForProcessExit();
        if (unacknowledged > 0)
        {
            Console.Error.WriteLine(
                $"{this}: the process is exiting with up to {unacknowledged} accepted write(s) not yet run and committed " +
                $"(waited {_processExitTimeout.TotalSeconds:0.#} s). Their callers were never acknowledged; those writes are lost.");
        }
    }

    // Completes the writer and waits up to ProcessExitTimeout. Returns 0 if the thread ended, else the number of accepted
    // writes not yet acknowledged (queued, waiting for room, or in the running batch).
    internal int DrainForProcessExit()
    {
        Task done = CompleteAsync();
        bool finished;
        try
        {
            finished = !IsWriterThread && done.Wait(_processExitTimeout);
        }
        catch (AggregateException)
        {
            finished = true; // the thread ended; closing the resource failed, but every write was acknowledged
        }

        if (finished)
        {
            return 0;
        }

        lock (_gate)
        {
            return _queue.Count + _overflow.Count + _inFlight;
        }
    }
}
