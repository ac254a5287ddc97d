using System.Diagnostics;
using ThreadSafe.Diagnostics;

namespace ThreadSafe;

// The asynchronous lock: a FIFO queue of waiters under a private monitor, with direct hand-off.
//
// States: free (!_held), held with no waiter, held with waiters (_head != null). Waiters exist only
// while the lock is held. Every transition happens under _gate, so there is exactly one place where
// each race is decided:
//   - acquire vs release: under _gate, the caller either takes a free lock or joins the queue tail;
//   - release vs cancel of the first waiter: under _gate, Release dequeues the head and marks it
//     Queued = false, handing it the lock (_held stays true); Cancel removes a waiter only if it is
//     still Queued. Whichever runs first wins: a dequeued waiter owns the lock and its cancellation is
//     ignored; a cancelled waiter is gone before any Release can hand it the lock.
// The waiter's task is completed (TrySetResult / TrySetCanceled) after leaving _gate, and with
// RunContinuationsAsynchronously, so no continuation of user code runs under _gate or on the releaser's
// stack.
public sealed partial class AsyncGuarded<T>
{
    // Guards _held, _head, _tail and every Waiter's Next, Previous and Queued. Private, so no outside
    // code can lock on it. Held only for a few field writes: never while user code runs.
    private readonly object _gate = new();

    // Guarded by _gate. True while someone owns the asynchronous lock (running or about to run a delegate).
    private bool _held;

    // Guarded by _gate. FIFO queue of waiters, oldest at _head; both null when nobody waits.
    private Waiter? _head;
    private Waiter? _tail;

    // Re-entrancy marker for synchronous delegates: the managed id of the thread running one, 0 otherwise.
    // Written only by the holder. A thread reading its own id here must be inside its own delegate: no
    // other thread ever writes that id, and the holder's own reset is ordered before its later calls.
    private int _syncThread;

    // Re-entrancy marker for asynchronous delegates: a fresh object per hold, written only by the holder,
    // mirrored in _asyncMarker (which flows with the execution context into the delegate and across its
    // awaits). A caller whose flowing marker is the current hold is inside the delegate. Cleared before
    // release, so work forked from a delegate that outlives it is not mistaken for recursion afterwards.
    private object? _asyncHold;
    private readonly AsyncLocal<object?> _asyncMarker = new();

    // Remembers delegates found not to be async (a cache read and written without a lock; see its remarks).
    private GuardedDelegateCheck _asyncCheck;

    // The diagnostics entry of the current hold, null when it is not tracked. Owned by the holder like _value: set by the
    // flow that takes a free lock, or, on a hand-off, by the releaser for the next holder before completing its task;
    // read and cleared by the holder in Release.
    private LockEntry? _holdEntry;

    private ValueTask<TResult> Run<TBody, TResult>(TBody body, string member, string parameterName, CancellationToken cancellationToken)
        where TBody : struct, IGuardedBody<T, TResult>
    {
        if (body.MayBeAsync)
        {
            _asyncCheck.ThrowIfAsync(body.Delegate, this, member, parameterName);
        }

        ThrowIfRecursive();
        CheckOrderBeforeAcquire();
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        Waiter? waiter = AcquireOrEnqueue(isAsync: false, cancellationToken);
        if (waiter is not null)
        {
            return RunAfterHandOffAsync<TBody, TResult>(waiter, body);
        }

        // Fast path: the lock was free and is ours; run synchronously, without allocating.
        try
        {
            return new ValueTask<TResult>(RunSync<TBody, TResult>(body));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<TResult>(ex);
        }
        finally
        {
            Release();
        }
    }

    private ValueTask RunVoid<TBody>(TBody body, string member, string parameterName, CancellationToken cancellationToken)
        where TBody : struct, IGuardedBody<T, NoResult>
    {
        _asyncCheck.ThrowIfAsync(body.Delegate, this, member, parameterName);
        ThrowIfRecursive();
        CheckOrderBeforeAcquire();
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        Waiter? waiter = AcquireOrEnqueue(isAsync: false, cancellationToken);
        if (waiter is not null)
        {
            return RunVoidAfterHandOffAsync(waiter, body);
        }

        try
        {
            RunSyncVoid(body);
            return default;
        }
        catch (Exception ex)
        {
            return ValueTask.FromException(ex);
        }
        finally
        {
            Release();
        }
    }

    private async ValueTask<TResult> RunAfterHandOffAsync<TBody, TResult>(Waiter waiter, TBody body)
        where TBody : struct, IGuardedBody<T, TResult>
    {
        await WaitForHandOffAsync(waiter).ConfigureAwait(false);
        try
        {
            return RunSync<TBody, TResult>(body);
        }
        finally
        {
            Release();
        }
    }

    private async ValueTask RunVoidAfterHandOffAsync<TBody>(Waiter waiter, TBody body)
        where TBody : struct, IGuardedBody<T, NoResult>
    {
        await WaitForHandOffAsync(waiter).ConfigureAwait(false);
        try
        {
            RunSyncVoid(body);
        }
        finally
        {
            Release();
        }
    }

    private TResult RunSync<TBody, TResult>(TBody body)
        where TBody : struct, IGuardedBody<T, TResult>
    {
        HeldLock? held = LockOrder.IsOn ? LockOrderTracker.Push(this, OrderNode) : null;
        Volatile.Write(ref _syncThread, Environment.CurrentManagedThreadId);
        try
        {
            return body.Invoke(ref _value);
        }
        finally
        {
            Volatile.Write(ref _syncThread, 0);
            if (held is not null)
            {
                LockOrderTracker.Pop(held);
            }
        }
    }

    private void RunSyncVoid<TBody>(TBody body)
        where TBody : struct, IGuardedBody<T, NoResult>
    {
        HeldLock? held = LockOrder.IsOn ? LockOrderTracker.Push(this, OrderNode) : null;
        Volatile.Write(ref _syncThread, Environment.CurrentManagedThreadId);
        try
        {
            body.Invoke(ref _value);
        }
        finally
        {
            Volatile.Write(ref _syncThread, 0);
            if (held is not null)
            {
                LockOrderTracker.Pop(held);
            }
        }
    }

    private void ThrowIfRecursive()
    {
        if (Volatile.Read(ref _syncThread) == Environment.CurrentManagedThreadId)
        {
            throw Recursion.Detected(this);
        }

        object? hold = Volatile.Read(ref _asyncHold);
        if (hold is not null && ReferenceEquals(hold, _asyncMarker.Value))
        {
            throw Recursion.Detected(this);
        }
    }

    // With lock-order checking on: checks the order (throwing LockOrderException in Throw mode) before the caller
    // waits for the lock. Called after the recursion check, so re-entry is reported as recursion.
    private void CheckOrderBeforeAcquire()
    {
        if (LockOrder.IsOn)
        {
            LockOrderTracker.BeforeAcquire(this, OrderNode);
        }
    }

    // Called by the holder right before an asynchronous delegate runs. The execution-context change made
    // here flows into the delegate; the enclosing async method restores its caller's context on return.
    // With lock-order checking on, the hold is also recorded in the flow's held locks (the same HeldLock object serves
    // as the marker then).
    private object EnterAsyncHold()
    {
        object hold = LockOrder.IsOn ? LockOrderTracker.Push(this, OrderNode) : new object();
        Volatile.Write(ref _asyncHold, hold);
        _asyncMarker.Value = hold;
        return hold;
    }

    private void ExitAsyncHold(object hold)
    {
        Debug.Assert(ReferenceEquals(Volatile.Read(ref _asyncHold), hold), "Only the holder changes the hold marker.");
        _asyncMarker.Value = null;
        Volatile.Write(ref _asyncHold, null);
        if (hold is HeldLock held)
        {
            LockOrderTracker.Pop(held);
        }
    }

    // Completes synchronously without allocating when the lock is free. For the asynchronous delegates.
    private ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        Waiter? waiter = AcquireOrEnqueue(isAsync: true, cancellationToken);
        return waiter is null ? default : WaitForHandOffAsync(waiter);
    }

    // Takes the lock and returns null if it is free; otherwise queues and returns a waiter whose task
    // completes when the lock is handed to it, or is canceled if the token fires while it is queued.
    // With diagnostics on, the flow is recorded as the holder or a waiter (isAsync: it holds across awaits).
    private Waiter? AcquireOrEnqueue(bool isAsync, CancellationToken cancellationToken)
    {
        LockEntry? entry = GuardInstrumentation.IsOn | _identity.RecordsMetrics ? _identity.NewEntry(LockAccess.Exclusive, isAsync) : null;
        LockState? state = entry is null ? null : _identity.State(this);
        Waiter waiter;
        lock (_gate)
        {
            Debug.Assert(_head is null || _held, "Waiters exist only while the lock is held.");
            if (!_held)
            {
                _held = true;
                if (entry is not null)
                {
                    _holdEntry = entry;
                    state!.AddHolder(entry, LockDiagnostics.Clock.GetTimestamp());
                }

                return null;
            }

            waiter = new Waiter(this) { Entry = entry };
            state?.AddWaiter(entry!, LockDiagnostics.Clock.GetTimestamp());
            waiter.Previous = _tail;
            if (_tail is null)
            {
                _head = waiter;
            }
            else
            {
                _tail.Next = waiter;
            }

            _tail = waiter;
            waiter.Queued = true;
        }

        if (entry is { Metrics: true })
        {
            LockMetrics.Contended(state!, LockAccess.Exclusive);
        }

        // Outside _gate: if the token fires now (even during Register, which then runs the callback
        // inline), Cancel decides under _gate whether the waiter is still queued.
        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(
                static (state, token) => ((Waiter)state!).Owner.Cancel((Waiter)state!, token),
                waiter);
        }

        return waiter;
    }

    // Waits for the hand-off (or the cancellation) and then drops the token registration. Unregister is
    // the non-blocking form of Dispose: it never waits for a callback running on another thread, which
    // is harmless here because the callback only takes _gate and finds the waiter no longer queued.
    private static async ValueTask WaitForHandOffAsync(Waiter waiter)
    {
        try
        {
            await waiter.Completion.Task.ConfigureAwait(false);
        }
        finally
        {
            waiter.Registration.Unregister();
        }
    }

    // Hands the lock to the oldest waiter, or frees it when nobody waits. With diagnostics, the holder's entry is removed
    // before the lock can pass on (so the tracked holders never show two) and a tracked next holder is recorded as holding
    // from the hand-off; metrics are recorded after leaving _gate.
    private void Release()
    {
        LockEntry? ended = _holdEntry;
        long releasedAt = 0;
        if (ended is not null)
        {
            _holdEntry = null;
            releasedAt = LockDiagnostics.Clock.GetTimestamp();
            _identity.TrackedState!.Remove(ended);
        }

        Waiter? next;
        lock (_gate)
        {
            Debug.Assert(_held, "Release without holding the lock.");
            next = _head;
            if (next is null)
            {
                _held = false;
            }
            else
            {
                Unlink(next);

                // _held stays true: ownership passes to next without the lock ever being free, so no
                // newcomer can overtake the queue.
                if (next.Entry is { } entry)
                {
                    _holdEntry = entry;
                    _identity.TrackedState!.AddHolder(entry, LockDiagnostics.Clock.GetTimestamp());
                }
            }
        }

        if (ended is { Metrics: true })
        {
            RecordMetrics(ended, releasedAt);
        }

        if (next is not null)
        {
            bool handedOff = next.Completion.TrySetResult();
            Debug.Assert(handedOff, "A dequeued waiter is completed only here.");
        }
    }
}
