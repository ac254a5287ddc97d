using Microsoft.Coyote.Specifications;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>
/// Systematic exploration of <see cref="WorkQueue{T}"/> shutdown when user code at the boundary misbehaves: callbacks on
/// the abort token that throw, handlers that stop through a token linked to the abort token.
/// </summary>
public sealed class WorkQueueShutdownCoyoteTests(ITestOutputHelper output)
{
    [Fact]
    public void AbortAsync_TokenCallbacksThrow_NothingHangsAndEveryItemIsHandledOrHandedBack()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var handled = new List<int>();
                var queue = new WorkQueue<int>(
                    async (item, token) =>
                    {
                        CancellationTokenRegistration registration = token.Register(() => throw new InvalidOperationException("callback"));
                        try
                        {
                            await Task.Yield();
                            WorkQueueCoyoteTests.Record(handled, item);
                        }
                        finally
                        {
                            registration.Unregister(); // not Dispose, which Coyote can report as a hang
                        }
                    },
                    WorkQueueCoyoteTests.PoolOptions(capacity: 1, consumers: 2));
                Task<List<int>>? producing = null;
                Task producer = Task.Run(() => { producing = WorkQueueCoyoteTests.ProduceAsync(queue, 0, 4); });
                Task<IReadOnlyList<int>>? abort = null;
                Exception? thrownByAbortAsync = null;
                Task aborter = Task.Run(() =>
                {
                    try
                    {
                        abort = queue.AbortAsync();
                    }
                    catch (Exception ex)
                    {
                        thrownByAbortAsync = ex;
                    }
                });
                await producer;
                await aborter;
                Specification.Assert(thrownByAbortAsync is null, $"AbortAsync threw past the state change: {thrownByAbortAsync}");
                List<int> accepted = await producing!;
                IReadOnlyList<int> back;
                try
                {
                    back = await abort!;
                }
                catch (WorkQueueFaultedException<int> fault)
                {
                    Specification.Assert(fault.InnerException is InvalidOperationException { Message: "callback" } or AggregateException, $"Wrong inner exception: {fault.InnerException}");
                    back = fault.Unprocessed;
                }

                Specification.Assert(ReferenceEquals(abort, queue.AbortAsync()), "A second AbortAsync returned another task.");
                IReadOnlyList<int> failed = [];
                try
                {
                    await queue.Completion;
                }
                catch (WorkQueueFaultedException<int> fault)
                {
                    failed = fault.FailedItems; // Register runs the callback at once on a cancelled token: that handler threw
                }

                WorkQueueCoyoteTests.AssertSameItems(accepted, handled.Concat(back).Concat(failed), $"failed [{string.Join(",", failed)}], handled [{string.Join(",", handled)}] + handed back [{string.Join(",", back)}] (abort {abort!.Status}, completion {queue.Completion.Status}, processed {queue.ProcessedCount}, failed {queue.FailedCount})");
            },
            output);
    }
}
