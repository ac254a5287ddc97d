namespace ThreadSafe.Tests.Shared;

/// <summary>
/// A delegate body that blocks until the test releases it: holds a lock, a consumer or a writer thread at a
/// known point. The test waits for <see cref="WaitEnteredAsync"/> (or <see cref="WaitEntered"/>) to know the
/// body is running, checks what it wants, then calls <see cref="Release"/>. Every wait is bounded: a body never
/// released gives up after <see cref="TestLimits.Wait"/> with a <see cref="TimeoutException"/> rather than hang.
/// </summary>
internal sealed class BlockingHandler
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _entries;

    /// <summary>How many times a body has started (entered), released or not.</summary>
    public int Entries => Volatile.Read(ref _entries);

    /// <summary>True once <see cref="Release"/> was called.</summary>
    public bool IsReleased => _released.Task.IsCompleted;

    /// <summary>The blocking body: signals that it entered, then waits (bounded) for <see cref="Release"/>.</summary>
    public void Block()
    {
        Interlocked.Increment(ref _entries);
        _entered.TrySetResult();
        if (!_released.Task.Wait(TestLimits.Wait))
        {
            throw new TimeoutException($"A blocking handler was never released within {TestLimits.Wait.TotalSeconds:0} s.");
        }
    }

    /// <summary>The asynchronous blocking body: signals that it entered, then awaits (bounded) <see cref="Release"/>.</summary>
    public async Task BlockAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _entries);
        _entered.TrySetResult();
        await _released.Task.WaitAsync(TestLimits.Wait, cancellationToken);
    }

    /// <summary>A handler for an item of any type that blocks (see <see cref="Block"/>).</summary>
    public Action<T> For<T>() => _ => Block();

    /// <summary>An asynchronous handler for an item of any type that blocks (see <see cref="BlockAsync"/>).</summary>
    public Func<T, CancellationToken, Task> ForAsync<T>() => (_, cancellationToken) => BlockAsync(cancellationToken);

    /// <summary>Waits (bounded) until a body has entered; fails the test otherwise.</summary>
    public void WaitEntered() =>
        Assert.True(_entered.Task.Wait(TestLimits.Wait), "The blocking handler was never entered.");

    /// <summary>Awaits (bounded) until a body has entered; fails the test otherwise.</summary>
    public Task WaitEnteredAsync() => Poll.Within(_entered.Task, "the blocking handler is entered");

    /// <summary>Lets every blocked body, and every later one, return.</summary>
    public void Release() => _released.TrySetResult();
}
