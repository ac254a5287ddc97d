namespace ThreadSafe.Testing.Tests.Zoo;

/// <summary>A value made of two fields that are always set together: a reader must never see them differ.</summary>
public sealed class TwoFieldValue(bool locked)
{
    // Guards _lo and _hi when 'locked'.
    private readonly object _gate = new();
    private int _lo;
    private int _hi;

    public void Set(int value)
    {
        if (locked)
        {
            lock (_gate)
            {
                _lo = value;
                _hi = value;
            }

            return;
        }

        // Broken: each field is written atomically, the pair is not.
        Volatile.Write(ref _lo, value);
        Volatile.Write(ref _hi, value);
    }

    public (int Lo, int Hi) Get()
    {
        if (locked)
        {
            lock (_gate)
            {
                return (_lo, _hi);
            }
        }

        return (Volatile.Read(ref _lo), Volatile.Read(ref _hi));
    }
}
