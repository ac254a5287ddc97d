using Microsoft.Coyote.Specifications;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>
/// Systematic schedule exploration of <see cref="WorkQueue{T}"/>: small scenarios, every interleaving Coyote picks. The
/// scenario helpers (options, actors, producers, the same-items check) are shared with the other WorkQueue Coyote tests.
/// </summary>
public sealed class WorkQueueCoyoteTests(ITestOutputHelper output)
{
    /// <summary>Options for a queue whose consumers run on the thread pool.</summary>
    internal static WorkQueueOptions<int> PoolOptions(int capacity, int consumers, Action<int, Exception>? onError = null) =>
        new() { Capacity = capacity, Consumers = consumers, UseDedicatedThreads = false, OnError = onError };

    /// <summary>
    /// Runs an asynchronous actor concurrently. Task.Run is given an Action, never a Func&lt;Task&gt;: Coyote 1.7.11 reports a
    /// false deadlock when Task.Run's proxy task waits for a task that another operation completes.
    /// </summary>
    internal static async Task<TResult> Actor<TResult>(Func<Task<TResult>> body)
    {
        Task<TResult>? inner = null;
        await Task.Run(() => { inner = body(); });
        return await inner!;
    }

    /// <summary>The result-less form of <see cref="Actor{TResult}"/>.</summary>
    internal static Task Actor(Func<Task> body) => Actor(async () =>
    {
        await body();
        return true;
    });

    /// <summary>Records a handled item in <paramref name="handled"/>, under a lock on it: consumers run concurrently.</summary>
    internal static void Record(List<int> handled, int item)
    {
        lock (handled)
        {
            handled.Add(item);
        }
    }

    /// <summary>Adds the items, stopping quietly at the first one refused because the queue stopped accepting; returns the accepted ones.</summary>
    internal static async Task<List<int>> ProduceAsync(WorkQueue<int> queue, int from, int count)
    {
        var accepted = new List<int>();
        for (int i = from; i < from + count; i++)
        {
            try
            {
                await queue.AddAsync(i);
                accepted.Add(i);
            }
            catch (InvalidOperationException)
            {
                break;
            }
        }

        return accepted;
    }

    /// <summary>Asserts (as a Coyote specification) that <paramref name="actual"/> holds the items of <paramref name="expected"/>, each once, in any order.</summary>
    internal static void AssertSameItems(IEnumerable<int> expected, IEnumerable<int> actual, string what)
    {
        int[] e = [.. expected.Order()];
        int[] a = [.. actual.Order()];
        Specification.Assert(e.SequenceEqual(a), $"{what}: expected [{string.Join(",", e)}], got [{string.Join(",", a)}].");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CompleteAsync_RacingProducers_DrainsEveryAcceptedItemExactlyOnce(bool dedicatedThreads)
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var handled = new List<int>();
                var queue = new WorkQueue<int>(
                    item => Record(handled, item),
                    new WorkQueueOptions<int> { Capacity = 2, Consumers = 2, UseDedicatedThreads = dedicatedThreads });
                Task<List<int>>[] producers = [Actor(() => ProduceAsync(queue, 0, 2)), Actor(() => ProduceAsync(queue, 10, 2))];
                Task completer = Task.Run(() => { _ = queue.CompleteAsync(); });
                foreach (Task producer in producers)
                {
                    await producer; // one by one: the generic Task.WhenAll<T> overload is not one Coyote intercepts
                }

                await completer;
                await queue.Completion;
                AssertSameItems(producers.SelectMany(p => p.Result), handled, "handled after CompleteAsync");
                Specification.Assert(queue.Count == 0, $"Count {queue.Count} after drain.");
            },
            output);
    }

    [Fact]
    public void AbortAsync_RacingProducerAndConsumers_HandsBackEveryUnstartedItemInFifoOrder()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var handled = new List<int>();
                var queue = new WorkQueue<int>(
                    item => Record(handled, item),
                    PoolOptions(capacity: 4, consumers: 2));
                Task<List<int>> producer = Actor(() => ProduceAsync(queue, 0, 4));
                Task<IReadOnlyList<int>>? abort = null;
                Task aborter = Task.Run(() => { abort = queue.AbortAsync(); });
                List<int> accepted = await producer;
                await aborter;
                IReadOnlyList<int> back = await abort!;
                await queue.Completion;
                Specification.Assert(back.SequenceEqual(back.Order()), $"Hand-back not FIFO: [{string.Join(",", back)}].");
                AssertSameItems(accepted, handled.Concat(back), "handled + handed back");
            },
            output);
    }

    [Fact]
    public void AddAsync_BlockedProducersCancelled_NeverEnqueueAndLeaveNoWaiter()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var handled = new List<int>();
                var queue = new WorkQueue<int>(
                    async (item, _) =>
                    {
                        await gate.Task;
                        Record(handled, item);
                    },
                    PoolOptions(capacity: 1, consumers: 1));
                using var cancelA = new CancellationTokenSource();
                using var cancelB = new CancellationTokenSource();
                await queue.AddAsync(0);
                Task a = Actor(() => queue.AddAsync(1, cancelA.Token).AsTask());
                Task b = Actor(() => queue.AddAsync(2, cancelB.Token).AsTask());
                Task canceller = Task.Run(() =>
                {
                    cancelA.Cancel();
                    cancelB.Cancel();
                });
                Task releaser = Task.Run(gate.SetResult);
                var accepted = new List<int> { 0 };
                foreach ((Task t, int item) in new[] { (a, 1), (b, 2) })
                {
                    try
                    {
                        await t;
                        accepted.Add(item);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                await Task.WhenAll(new[] { canceller, releaser });
                Specification.Assert(queue.WaitingProducers == 0, $"{queue.WaitingProducers} waiter(s) left behind.");
                await queue.CompleteAsync();
                AssertSameItems(accepted, handled, "handled vs accepted");
            },
            output);
    }

    [Fact]
    public void Handler_ThrowsWithoutOnError_NoItemLostOrDuplicated()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var handled = new List<int>();
                var queue = new WorkQueue<int>(
                    item =>
                    {
                        if (item == 1)
                        {
                            throw new InvalidOperationException("item 1 fails");
                        }

                        Record(handled, item);
                    },
                    PoolOptions(capacity: 2, consumers: 2));
                List<int> accepted = await Actor(() => ProduceAsync(queue, 0, 4));
                Exception? fault = null;
                try
                {
                    await queue.CompleteAsync();
                }
                catch (WorkQueueFaultedException<int> ex)
                {
                    fault = ex;
                    Specification.Assert(ex.FailedItem == 1 && ex.InnerException is InvalidOperationException, "Wrong failed item or inner exception.");
                    Specification.Assert(ex.Unprocessed.SequenceEqual(ex.Unprocessed.Order()), "Unprocessed not in FIFO order.");
                    AssertSameItems(accepted, handled.Append(1).Concat(ex.Unprocessed), "handled + failed + unprocessed");
                }

                Specification.Assert(fault is not null, "The queue did not fault although item 1 threw.");
                Specification.Assert(queue.Completion.IsFaulted, "Completion is not faulted.");
            },
            output);
    }

    [Fact]
    public void Handler_ThrowsWithOnError_EveryItemHandledOrReported()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var seen = new List<int>();
                var queue = new WorkQueue<int>(
                    item =>
                    {
                        if (item % 2 == 1)
                        {
                            throw new InvalidOperationException("odd");
                        }

                        lock (seen)
                        {
                            seen.Add(item);
                        }
                    },
                    PoolOptions(capacity: 2, consumers: 2, onError: (item, _) =>
                    {
                        lock (seen)
                        {
                            seen.Add(item);
                        }
                    }));
                Task<List<int>>[] producers = [Actor(() => ProduceAsync(queue, 0, 2)), Actor(() => ProduceAsync(queue, 10, 2))];
                foreach (Task producer in producers)
                {
                    await producer;
                }

                await queue.CompleteAsync();
                AssertSameItems(producers.SelectMany(p => p.Result), seen, "handled or reported");
                Specification.Assert(queue.ProcessedCount == 2 && queue.FailedCount == 2, $"counts {queue.ProcessedCount}/{queue.FailedCount}");
            },
            output);
    }

    [Fact]
    public void BrokenQueue_ConsumerChecksCompletedBeforeDraining_IsCaught()
    {
        CoyoteRun.ExpectBug(
            async () =>
            {
                var handled = new List<int>();
                var queue = new BrokenDrainQueue(handled.Add);
                Task producer = Task.Run(() =>
                {
                    queue.Add(1);
                    queue.Add(2);
                });
                await producer;
                await queue.CompleteAsync();
                AssertSameItems([1, 2], handled, "handled after CompleteAsync");
            },
            output);
    }

    /// <summary>
    /// Test-only queue with the classic shutdown bug: the consumer stops as soon as it sees "completed", before draining
    /// what was already accepted. Proves the harness finds lost items.
    /// </summary>
    private sealed class BrokenDrainQueue
    {
        private readonly object _gate = new();
        private readonly Queue<int> _items = new(); // guarded by _gate
        private readonly SemaphoreSlim _signal = new(0);
        private readonly Task _consumer;
        private bool _completed; // guarded by _gate

        public BrokenDrainQueue(Action<int> handler) => _consumer = Task.Run(async () =>
        {
            while (true)
            {
                int item;
                lock (_gate)
                {
                    if (_completed)
                    {
                        return; // BUG: must drain _items first
                    }

                    if (!_items.TryDequeue(out item))
                    {
                        item = -1;
                    }
                }

                if (item < 0)
                {
                    await _signal.WaitAsync();
                }
                else
                {
                    handler(item);
                }
            }
        });

        public void Add(int item)
        {
            lock (_gate)
            {
                _items.Enqueue(item);
            }

            _signal.Release();
        }

        public Task CompleteAsync()
        {
            lock (_gate)
            {
                _completed = true;
            }

            _signal.Release();
            return _consumer;
        }
    }
}
