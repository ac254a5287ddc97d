using System.Runtime.CompilerServices;

namespace ThreadSafe;

/// <summary>
/// The FIFO ring buffer behind <see cref="WorkQueue{T}"/>: items not yet taken by a consumer. Not thread-safe: the
/// queue touches it only while holding its lock. A mutable struct held in a field, so that it adds no indirection.
/// </summary>
/// <typeparam name="T">The type of the items.</typeparam>
/// <remarks>Invariant: 0 &lt;= Count &lt;= items.Length &lt;= maxLength; the items are the Count slots from head, wrapping.</remarks>
internal struct WorkQueueRing<T>
{
    private readonly int _maxLength;
    private T[] _items;
    private int _head;

    /// <summary>Creates an empty ring that starts small and grows by doubling up to <paramref name="maxLength"/>.</summary>
    public WorkQueueRing(int maxLength)
    {
        _maxLength = maxLength;
        _items = new T[Math.Min(maxLength, 256)];
    }

    /// <summary>Gets the number of items in the ring.</summary>
    public int Count { get; private set; }

    /// <summary>Appends an item. The caller guarantees Count &lt; maxLength.</summary>
    public void Enqueue(T item)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        int tail = _head + Count;
        if (tail >= _items.Length)
        {
            tail -= _items.Length;
        }

        _items[tail] = item;
        Count++;
    }

    /// <summary>Moves up to <c>destination.Length</c> items from the front into <paramref name="destination"/>.</summary>
    /// <returns>The number of items moved.</returns>
    public int DequeueInto(T[] destination)
    {
        int n = Math.Min(Count, destination.Length);
        int first = Math.Min(n, _items.Length - _head);
        Array.Copy(_items, _head, destination, 0, first);
        Array.Copy(_items, 0, destination, first, n - first);
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_items, _head, first);
            Array.Clear(_items, 0, n - first);
        }

        _head = (_head + n) % _items.Length;
        Count -= n;
        return n;
    }

    /// <summary>Moves every item, in FIFO order, to the end of <paramref name="destination"/>, leaving the ring empty.</summary>
    public void DrainTo(List<T> destination)
    {
        for (int i = 0; i < Count; i++)
        {
            destination.Add(_items[(_head + i) % _items.Length]);
        }

        Array.Clear(_items);
        _head = 0;
        Count = 0;
    }

    private void Grow()
    {
        var bigger = new T[(int)Math.Min((long)_items.Length * 2, _maxLength)];
        for (int i = 0; i < Count; i++)
        {
            bigger[i] = _items[(_head + i) % _items.Length];
        }

        _items = bigger;
        _head = 0;
    }
}
