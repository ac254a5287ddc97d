using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ThreadSafe;

/// <summary>
/// A writer-preferring reader-writer lock: an Interlocked state word for the uncontended paths, and a
/// <see cref="Monitor"/> (Wait/PulseAll) only for threads that must wait. Not re-entrant and knows nothing
/// of threads: recursion is rejected by the caller (see <see cref="HeldLocks"/>) before it gets here.
/// </summary>
/// <remarks>
/// <para>
/// The state word <c>_state</c>: bits 0–29 count the readers holding the lock; bit 30 (<c>WriterBit</c>) is
/// owned by one writer, which is either waiting for the readers it found to leave (count &gt; 0) or
/// writing (count = 0). Invariants:
/// </para>
/// <list type="number">
/// <item>The reader count grows only by a compare-and-swap from a value without <c>WriterBit</c>, so once a
/// writer has set the bit the count only falls: new readers wait (writer preference), and the writer waits
/// for at most the readers that were already inside.</item>
/// <item><c>WriterBit</c> is set with <c>Interlocked.Or</c> and owned by the one caller whose returned
/// prior value did not have it; readers never make that fail, so a stream of readers cannot starve a writer
/// of the bit.</item>
/// <item>While a writer writes, <c>_state == WriterBit</c> exactly (count 0 and no reader can add to it).</item>
/// </list>
/// <para>
/// Memory ordering: every change of <c>_state</c> is an Interlocked operation, a full fence on .NET. A
/// writer's stores to the guarded value precede its releasing <c>Interlocked.Exchange</c>; a reader's
/// acquiring compare-and-swap reads that released value, so the reader sees the writes. A reader's loads
/// precede its releasing <c>Interlocked.Decrement</c>; the writer acts only after reading a count of zero
/// (by an Interlocked operation or a <c>Volatile.Read</c>, which has acquire semantics), so
/// its stores cannot move before those loads.
/// </para>
/// <para>
/// No lost wake-ups: a thread waits only inside <c>lock (_monitor)</c> after re-checking the state there.
/// A waiting writer (readers to drain) is woken by the reader whose decrement leaves exactly
/// <c>WriterBit</c>: that reader always pulses, under the lock, so the pulse comes either before the
/// writer's re-check (which then sees zero) or after it has started waiting. Threads waiting for
/// <c>WriterBit</c> to clear first increment <c>_waiters</c> (a full fence) and then re-check the state; the
/// releasing writer clears the state (a full fence) and then reads <c>_waiters</c>: by this Dekker pattern,
/// either the waiter sees the cleared state or the writer sees the waiter and pulses under the lock.
/// </para>
/// </remarks>
internal sealed class ReadWriteGate
{
    private const int WriterBit = 1 << 30;
    private const int ReaderMask = WriterBit - 1;

    // Guards no data: the monitor on which threads that cannot proceed sleep (Wait) and are woken
    // (PulseAll). Every wait re-checks _state while holding it. Private, so no outside code can lock on it.
    private readonly object _monitor = new();

    // The lock's state word (see the class remarks). Changed only by Interlocked operations.
    private int _state;

    // Threads inside a wait loop for WriterBit to clear (readers and writers). Changed only under _monitor,
    // by Interlocked operations (a full fence before the waiter re-checks _state); read without the lock
    // by ExitWrite to decide whether a pulse is needed.
    private int _waiters;

    /// <summary>Gets the number of readers holding the lock (for tests and diagnostics).</summary>
    internal int ReaderCount => Volatile.Read(ref _state) & ReaderMask;

    /// <summary>Gets a value indicating whether a writer owns the write side, waiting or writing (for tests and diagnostics).</summary>
    internal bool HasWriter => (Volatile.Read(ref _state) & WriterBit) != 0;

    /// <summary>Gets the number of threads waiting for a writer to leave (for tests and diagnostics).</summary>
    internal int WaitingCount => Volatile.Read(ref _waiters);

    /// <summary>Takes the read side if no writer owns the lock; never waits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnterReadFast()
    {
        int state = Volatile.Read(ref _state);
        return ((state & WriterBit) == 0 && Interlocked.CompareExchange(ref _state, state + 1, state) == state) || TryEnterReadRetry();
    }

    // The first compare-and-swap failed: retry while no writer owns the lock (another reader came or went).
    private bool TryEnterReadRetry()
    {
        int state = Volatile.Read(ref _state);
        while ((state & WriterBit) == 0)
        {
            Debug.Assert((state & ReaderMask) != ReaderMask, "Reader count overflow.");
            int seen = Interlocked.CompareExchange(ref _state, state + 1, state);
            if (seen == state)
            {
                return true;
            }

            state = seen;
        }

        return false;
    }

    /// <summary>Takes the read side, waiting at most <paramref name="timeoutMs"/> (<see cref="Timeout.Infinite"/> for no limit).</summary>
    public bool EnterReadSlow(int timeoutMs)
    {
        if (TryEnterReadFast())
        {
            return true;
        }

        if (timeoutMs == 0)
        {
            return false;
        }

        long start = Environment.TickCount64;
        lock (_monitor)
        {
            Interlocked.Increment(ref _waiters);
            try
            {
                while (!TryEnterReadFast())
                {
                    if (!Wait(timeoutMs, start))
                    {
                        return TryEnterReadFast();
                    }
                }

                return true;
            }
            finally
            {
                Interlocked.Decrement(ref _waiters);
            }
        }
    }

    /// <summary>Leaves the read side; wakes a writer waiting for the last reader.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ExitRead()
    {
        int state = Interlocked.Decrement(ref _state);
        Debug.Assert((state & ReaderMask) != ReaderMask, "ExitRead without a matching enter.");
        if (state == WriterBit)
        {
            // The last reader left while a writer waits for the count to reach zero.
            PulseAll();
        }
    }

    /// <summary>Takes the write side if the lock is completely free; never waits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryEnterWriteFast() => Interlocked.CompareExchange(ref _state, WriterBit, 0) == 0;

    /// <summary>Takes the write side, waiting at most <paramref name="timeoutMs"/> (<see cref="Timeout.Infinite"/> for no limit).</summary>
    public bool EnterWriteSlow(int timeoutMs)
    {
        long start = Environment.TickCount64;

        // Phase 1: own WriterBit. From the moment it is set, no new reader gets in.
        int prior = Interlocked.Or(ref _state, WriterBit);
        if ((prior & WriterBit) != 0)
        {
            if (timeoutMs == 0)
            {
                return false;
            }

            lock (_monitor)
            {
                Interlocked.Increment(ref _waiters);
                try
                {
                    while (((prior = Interlocked.Or(ref _state, WriterBit)) & WriterBit) != 0)
                    {
                        if (!Wait(timeoutMs, start))
                        {
                            return false; // Owns nothing yet: nothing to undo.
                        }
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _waiters);
                }
            }
        }

        // Phase 2: wait for the readers that were already inside (their count only falls now).
        return (prior & ReaderMask) == 0 || DrainReaders(timeoutMs, start);
    }

    /// <summary>Leaves the write side and wakes every thread waiting for it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ExitWrite()
    {
        int prior = Interlocked.Exchange(ref _state, 0);
        Debug.Assert(prior == WriterBit, "ExitWrite while not writing, or a reader got in beside the writer.");
        if (Volatile.Read(ref _waiters) != 0)
        {
            PulseAll();
        }
    }

    // Called by the owner of WriterBit. Returns true once the reader count is zero; on a timeout (or an
    // exception while waiting) gives WriterBit back and wakes the readers it held off.
    private bool DrainReaders(int timeoutMs, long start)
    {
        bool drained = false;
        lock (_monitor)
        {
            try
            {
                while ((Volatile.Read(ref _state) & ReaderMask) != 0)
                {
                    if (!Wait(timeoutMs, start))
                    {
                        break;
                    }
                }

                drained = (Volatile.Read(ref _state) & ReaderMask) == 0;
            }
            finally
            {
                if (!drained)
                {
                    // Readers still inside may be decrementing concurrently, hence Add rather than a store.
                    int after = Interlocked.Add(ref _state, -WriterBit);
                    Debug.Assert((after & WriterBit) == 0, "WriterBit was owned by this writer.");
                    Monitor.PulseAll(_monitor);
                }
            }
        }

        Debug.Assert(!drained || Volatile.Read(ref _state) == WriterBit, "A writing writer sees _state == WriterBit.");
        return drained;
    }

    // Called with _monitor held. Waits for a pulse; false once the timeout has elapsed.
    private bool Wait(int timeoutMs, long start)
    {
        Debug.Assert(Monitor.IsEntered(_monitor), "Wait must be called with the monitor held.");
        if (timeoutMs == Timeout.Infinite)
        {
            Monitor.Wait(_monitor);
            return true;
        }

        long remaining = timeoutMs - (Environment.TickCount64 - start);
        return remaining > 0 && Monitor.Wait(_monitor, (int)remaining);
    }

    private void PulseAll()
    {
        lock (_monitor)
        {
            Monitor.PulseAll(_monitor);
        }
    }
}
