namespace ThreadSafe.Testing.Tests.Zoo;

/// <summary>Two accounts, each with its own lock; money moves from A to B. The total never changes.</summary>
public sealed class Accounts(bool atomicTransfer)
{
    // Guards _a.
    private readonly object _lockA = new();

    // Guards _b. Always taken after _lockA when both are held.
    private readonly object _lockB = new();
    private int _a = 10;
    private int _b = 10;

    public void Transfer(int amount)
    {
        if (atomicTransfer)
        {
            lock (_lockA)
            {
                lock (_lockB)
                {
                    _a -= amount;
                    _b += amount;
                }
            }

            return;
        }

        // Broken: between the two locks the money is in neither account.
        lock (_lockA)
        {
            _a -= amount;
        }

        lock (_lockB)
        {
            _b += amount;
        }
    }

    public int Total()
    {
        lock (_lockA)
        {
            lock (_lockB)
            {
                return _a + _b;
            }
        }
    }
}
