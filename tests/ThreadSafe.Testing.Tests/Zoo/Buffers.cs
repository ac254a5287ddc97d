namespace ThreadSafe.Testing.Tests.Zoo;

/// <summary>An unbounded blocking buffer: <c>Take</c> waits until an item is there.</summary>
public sealed class BlockingBuffer(bool recheckAfterWait)
{
    // Guards _items.
    private readonly object _gate = new();
    private readonly Queue<int> _items = new();

    public void Put(int item)
    {
        lock (_gate)
        {
            _items.Enqueue(item);
            Monitor.PulseAll(_gate);
        }
    }

    public int Take()
    {
        lock (_gate)
        {
            if (recheckAfterWait)
            {
                // Correct: another taker may have taken the item between the pulse and this wake-up.
                while (_items.Count == 0)
                {
                    Monitor.Wait(_gate);
                }
            }
            else if (_items.Count == 0)
            {
                // Broken: 'if' instead of 'while' trusts the wake-up, so the queue may be empty again.
                Monitor.Wait(_gate);
            }

            return _items.Dequeue();
        }
    }
}
