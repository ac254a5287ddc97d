namespace ThreadSafe.Testing.Tests.Zoo;

/// <summary>A lock-free stack: <c>Pop</c> returns null when empty.</summary>
public sealed class TreiberStack(bool useCompareExchange)
{
    private Node? _head;

    public void Push(int value)
    {
        if (!useCompareExchange)
        {
            // Broken: read and write of the head are each atomic, the pair is not; a concurrent push is lost.
            Node? head = Volatile.Read(ref _head);
            Volatile.Write(ref _head, new Node(value, head));
            return;
        }

        while (true)
        {
            Node? head = Volatile.Read(ref _head);
            if (Interlocked.CompareExchange(ref _head, new Node(value, head), head) == head)
            {
                return;
            }
        }
    }

    public int? Pop()
    {
        while (true)
        {
            Node? head = Volatile.Read(ref _head);
            if (head is null)
            {
                return null;
            }

            if (!useCompareExchange)
            {
                // Broken: two pops can both take the same node.
                Volatile.Write(ref _head, head.Next);
                return head.Value;
            }

            if (Interlocked.CompareExchange(ref _head, head.Next, head) == head)
            {
                return head.Value;
            }
        }
    }

    private sealed record Node(int Value, Node? Next);
}
