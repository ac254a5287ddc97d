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

            FailQueued(ex, WriterState.Broken);
        }
        finally
        {
            t_current = null;
            if (_drainsAtProcessExit)
            {
                SingleWriterProcessExit.Unregister(this);
            }
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
        }
        catch (Exception ex)
        {
            FailQueued(ex, WriterState.OpenFailed);
            return false;
        }

        lock (_gate)
        {
            AssertInvariants();
            if (_state == WriterState.Opening)
            {
                MoveLocked(WriterState.Running); // else CompleteAsync came first: the writer drains, then closes
            }
        }

        return true;
    }

    // Fails every queued write and makes every later call fail: after open threw, or after a defect of this class.
    private void FailQueued(Exception error, WriterState to)
    {
        WorkItem[] queued, waiting;
        bool opening = to == WriterState.OpenFailed;
        lock (_gate)
        {
            AssertInvariants();
            if (IsAllowed(_state, to))
            {
                _error = error;
                MoveLocked(to);
                _commitDelayEnd = null; // only the writer thread waits on it, and it is here
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
            if (item.TryFail())
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
            AssertInvariants();
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
                if (_state == WriterState.Completing && _overflow.Count == 0)
                {
                    MoveLocked(WriterState.Closed);
                    return false;
                }

                _writerWaiting = true;
                Monitor.Wait(_gate);
                _writerWaiting = false;
                AssertInvariants();
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
            // A cancelled item never runs (its callback releases its room). Otherwise the writer takes the item's room
            // back here, under _gate, so a cancellation arriving later (before RunBatch starts the item) has nothing
            // to release; RunBatch moves it to Running only just before running it.
            if (item.TryMove(ItemState.Admitted, ItemState.Taken))
            {
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
        if (_maxCommitDelay <= TimeSpan.Zero || _state != WriterState.Running)
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
            AssertInvariants();
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
                if (!item.TryMove(ItemState.Taken, ItemState.Running))
                {
                    continue; // cancelled before it started: its task is cancelled and it never runs
                }

                if (started++ == 0)
                {
                    _beginBatch?.Invoke(resource);
                    begun = true;
                }

                _beginWrite?.Invoke(resource);
                _insideWrite = true;
                bool succeeded = item.Run(resource);
                _insideWrite = false;
                if (succeeded)
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

    // Completes the caller of every item of the batch: those that ran (Running → Acknowledged) and, when the batch was
    // abandoned, those it had not reached (Taken → Failed, with the batch's error). Cancelled items are skipped.
    private static void AcknowledgeBatch(List<WorkItem> batch, Exception? batchError)
    {
        foreach (WorkItem item in batch)
        {
            if (item.TryMove(ItemState.Running, ItemState.Acknowledged) || (batchError is not null && item.TryFail()))
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
            _resource = default!;
        }
    }

    // Completes the writer and waits up to ProcessExitTimeout. Returns 0 if the thread ended, else the number of accepted
    // writes not yet acknowledged (queued, waiting for room, or in the running batch).
    internal int DrainForProcessExit() => SingleWriterProcessExit.DrainSideBySide([this])[0];

    TimeSpan SingleWriterProcessExit.IWriter.ProcessExitTimeout => _processExitTimeout;

    Task SingleWriterProcessExit.IWriter.BeginExitDrain() => CompleteAsync();

    bool SingleWriterProcessExit.IWriter.IsOwnThread() => IsWriterThread;

    void SingleWriterProcessExit.IWriter.ReportUnacknowledged(int unacknowledged) =>
        Console.Error.WriteLine(
            $"{this}: the process is exiting with up to {unacknowledged} accepted write(s) not yet run and committed " +
            $"(waited {_processExitTimeout.TotalSeconds:0.#} s). Their callers were never acknowledged; those writes are lost.");

    int SingleWriterProcessExit.IWriter.CountUnacknowledged()
    {
        lock (_gate)
        {
            AssertInvariants();
            return _queue.Count + _overflow.Count + _inFlight;
        }
    }
}
