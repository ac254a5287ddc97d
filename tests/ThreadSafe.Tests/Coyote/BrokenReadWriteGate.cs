namespace ThreadSafe.Tests.Coyote;

/// <summary>
/// A deliberately broken, test-only copy of <see cref="ReadWriteGate"/>: the reader fast path skips the
/// writer check, so readers walk in beside a waiting or writing writer. Everything else is the real
/// algorithm (the debug assertions are left out: they would end the test process). Coyote must catch it,
/// which proves the <see cref="ReadWriteGuardedCoyoteTests"/> scenarios can fail.
/// </summary>
internal sealed class BrokenReadWriteGate
{
    private const int WriterBit = 1 << 30;
    private const int ReaderMask = WriterBit - 1;

    private readonly object _monitor = new();
    private int _state;
    private int _waiters;

    public bool HasWriter => (Volatile.Read(ref _state) & WriterBit) != 0;

    public void EnterRead()
    {
        // THE BUG: the real gate only increments while WriterBit is clear.
        Interlocked.Increment(ref _state);
    }

    public void ExitRead()
    {
        if (Interlocked.Decrement(ref _state) == WriterBit)
        {
            lock (_monitor)
            {
                Monitor.PulseAll(_monitor);
            }
        }
    }

    public void EnterWrite()
    {
        if (Interlocked.CompareExchange(ref _state, WriterBit, 0) == 0)
        {
            return;
        }

        int prior = Interlocked.Or(ref _state, WriterBit);
        if ((prior & WriterBit) != 0)
        {
            lock (_monitor)
            {
                Interlocked.Increment(ref _waiters);
                while (((prior = Interlocked.Or(ref _state, WriterBit)) & WriterBit) != 0)
                {
                    Monitor.Wait(_monitor);
                }

                Interlocked.Decrement(ref _waiters);
            }
        }

        if ((prior & ReaderMask) != 0)
        {
            lock (_monitor)
            {
                while ((Volatile.Read(ref _state) & ReaderMask) != 0)
                {
                    Monitor.Wait(_monitor);
                }
            }
        }
    }

    public void ExitWrite()
    {
        Interlocked.Add(ref _state, -WriterBit);
        if (Volatile.Read(ref _waiters) != 0)
        {
            lock (_monitor)
            {
                Monitor.PulseAll(_monitor);
            }
        }
    }
}
