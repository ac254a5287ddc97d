using Microsoft.Coyote.Specifications;
using Xunit.Abstractions;

namespace ThreadSafe.Tests.Coyote;

/// <summary>Systematic schedule exploration of <see cref="SingleWriter{TResource}"/> with small scenarios.</summary>
/// <remarks>
/// Coyote controls Task.Run but not <c>new Thread</c>, so these writers run their loop as a task
/// (<c>RunWriterLoopAsTask</c>). Actors use <c>Task.Run(async () => await ...)</c>: with Coyote 1.7.11 on .NET 10,
/// <c>Task.Run(() => taskFromCompletionSource)</c> never completes its unwrapped proxy (a false deadlock).
/// </remarks>
public sealed class SingleWriterCoyoteTests(ITestOutputHelper output)
{
    private sealed class Resource : IDisposable
    {
        public int Active;
        public int Writes;
        public bool Disposed;

        public void Write()
        {
            Specification.Assert(!Disposed, "a write ran after the resource was disposed");
            int active = Interlocked.Increment(ref Active);
            Specification.Assert(active == 1, $"{active} writes ran at once");
            Thread.Yield();
            Writes++;
            Interlocked.Decrement(ref Active);
        }

        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void ExecuteAsync_ConcurrentSubmitters_NeverRunTwoWritesAtOnce()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var resource = new Resource();
                var writer = new SingleWriter<Resource>(() => resource, new SingleWriterOptions<Resource> { RunWriterLoopAsTask = true, MaxBatchSize = 2, Capacity = 1 });
                Task[] submitters =
                [
                    Task.Run(async () =>
                    {
                        await writer.ExecuteAsync(r => r.Write());
                        await writer.ExecuteAsync(r => r.Write());
                    }),
                    Task.Run(() => writer.Execute(r =>
                    {
                        r.Write();
                        return writer.IsWriterThread;
                    })),
                    Task.Run(() => writer.Post(r => r.Write())),
                ];
                await Task.WhenAll(submitters);
                await writer.CompleteAsync();
                Specification.Assert(resource.Writes == 4, $"expected 4 writes, saw {resource.Writes}");
                Specification.Assert(resource.Disposed, "the resource was not disposed by completion");
            },
            output);
    }

    [Fact]
    public void Execute_FromInsideAWrite_RunsInline()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var resource = new Resource();
                var writer = new SingleWriter<Resource>(() => resource, new SingleWriterOptions<Resource> { RunWriterLoopAsTask = true });
                Task<int>[] outer =
                [
                    Task.Run(async () => await writer.ExecuteAsync(r =>
                    {
                        r.Write();
                        return writer.Execute(_ => 1) + writer.ExecuteAsync(_ => 1).Result;
                    })),
                    Task.Run(async () => await writer.ExecuteAsync(r =>
                    {
                        writer.Post(inner => inner.Write());
                        return 2;
                    })),
                ];
                int[] results = await Task.WhenAll(outer);
                await writer.CompleteAsync();
                Specification.Assert(results[0] == 2 && results[1] == 2, "inline calls returned wrong results");
                Specification.Assert(resource.Writes == 2, $"expected 2 writes, saw {resource.Writes}");
            },
            output);
    }

    [Fact]
    public void Calls_WhenOpenFails_AllFailWithTheWrappedError_NeverHang()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var original = new IOException("cannot open");
                var writer = new SingleWriter<Resource>(() =>
                {
                    Thread.Yield();
                    throw original;
                }, new SingleWriterOptions<Resource> { RunWriterLoopAsTask = true });
                Task<Exception?>[] callers =
                [
                    Task.Run(async () => await Outcome(writer.ExecuteAsync(_ => 1))),
                    Task.Run(async () => await Outcome(writer.ExecuteAsync(_ => 2))),
                ];
                Exception?[] errors = await Task.WhenAll(callers);
                await writer.CompleteAsync();
                foreach (Exception? error in errors)
                {
                    Specification.Assert(
                        error is InvalidOperationException && ReferenceEquals(error.InnerException, original),
                        $"expected a wrapper of the open error, got {error}");
                }
            },
            output);
    }

    [Fact]
    public void ExecuteAsync_CancelledConcurrently_EitherRunsAndSucceedsOrNeverRuns()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var writer = new SingleWriter<Resource>(() => new Resource(), new SingleWriterOptions<Resource> { RunWriterLoopAsTask = true, Capacity = 1 });
                await CancelAWriteBetweenTwoAsync(writer);
                await writer.CompleteAsync();
            },
            output);
    }

    [Fact]
    public void ExecuteAsync_CancelledConcurrentlyInsideABatch_EitherRunsAndSucceedsOrNeverRuns()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var resource = new Resource();
                var writer = new SingleWriter<Resource>(() => resource, new SingleWriterOptions<Resource> { RunWriterLoopAsTask = true, Capacity = 2, MaxBatchSize = 2 });
                await CancelAWriteBetweenTwoAsync(writer);
                int third = await writer.ExecuteAsync(_ => 3); // the room of the cancelled write was released exactly once
                await writer.CompleteAsync();
                Specification.Assert(third == 3, "a write after a cancelled one did not run");
                Specification.Assert(resource.Disposed, "completion did not dispose the resource");
            },
            output);
    }

    [Fact]
    public void CompleteAsync_RacingSubmitters_RunsEveryAcceptedWriteAndRejectsTheRest()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var resource = new Resource();
                var writer = new SingleWriter<Resource>(() => resource, new SingleWriterOptions<Resource> { RunWriterLoopAsTask = true, Capacity = 1 });
                Task<Exception?>[] submitters =
                [
                    Task.Run(async () => await Outcome(writer.ExecuteAsync(r => r.Write()))),
                    Task.Run(async () => await Outcome(writer.ExecuteAsync(r => r.Write()))),
                ];
                Task completer = Task.Run(async () => await writer.CompleteAsync());
                Exception?[] outcomes = await Task.WhenAll(submitters);
                await completer;
                await writer.Completion;
                int accepted = outcomes.Count(e => e is null);
                Specification.Assert(outcomes.All(e => e is null or InvalidOperationException), "unexpected failure");
                Specification.Assert(resource.Writes == accepted, $"{accepted} acknowledged but {resource.Writes} ran");
                Specification.Assert(resource.Disposed, "completion did not dispose the resource");
            },
            output);
    }

    [Fact]
    public void ExecuteAsync_PipelinedUnderBackPressure_KeepsSubmissionOrder()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var order = new List<int>();
                var writer = new SingleWriter<Resource>(() => new Resource(), new SingleWriterOptions<Resource> { RunWriterLoopAsTask = true, Capacity = 1 });
                Task[] writes = [.. Enumerable.Range(0, 3).Select(i => writer.ExecuteAsync(_ => order.Add(i)))];
                Task other = Task.Run(async () => await writer.ExecuteAsync(_ => order.Add(10)));
                await Task.WhenAll([.. writes, other]);
                await writer.CompleteAsync();
                int[] mine = [.. order.Where(i => i < 10)];
                Specification.Assert(mine.Length == 3 && mine[0] == 0 && mine[1] == 1 && mine[2] == 2, $"submission order broken: {string.Join(",", order)}");
            },
            output);
    }

    [Fact]
    public void Post_BlockedOnAFullQueueWhenOpenFails_ReturnsOrThrows_NeverHangs()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                int reported = 0, thrown = 0;
                var writer = new SingleWriter<Resource>(
                    () =>
                    {
                        Thread.Yield();
                        throw new IOException("cannot open");
                    },
                    new SingleWriterOptions<Resource> { RunWriterLoopAsTask = true, Capacity = 1, OnError = _ => Interlocked.Increment(ref reported) });
                Task[] posters = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
                {
                    try
                    {
                        writer.Post(r => r.Write());
                    }
                    catch (InvalidOperationException)
                    {
                        Interlocked.Increment(ref thrown);
                    }
                }))];
                await Task.WhenAll(posters);
                await writer.Completion;
                Specification.Assert(reported + thrown == 2, $"each post must fail visibly once: {reported} reported, {thrown} thrown");
            },
            output);
    }

    [Fact]
    public void CompleteAsync_RacingTheCancellationOfTheWriteHoldingTheLastSlot_StillRunsTheWriteWaitingBehind()
    {
        CoyoteRun.ExpectNoBug(
            async () =>
            {
                var resource = new Resource();
                var writer = new SingleWriter<Resource>(() => resource, new SingleWriterOptions<Resource> { RunWriterLoopAsTask = true, Capacity = 1 });
                using var cts = new CancellationTokenSource();
                Task<int> target = writer.ExecuteAsync(_ => 1, cts.Token); // takes the only slot
                Task<int> behind = writer.ExecuteAsync(r =>
                {
                    r.Write();
                    return 2;
                }); // accepted, waiting for room
                Task canceller = Task.Run(cts.Cancel);
                Task completer = Task.Run(() => { _ = writer.CompleteAsync(); });
                await canceller;
                await completer;
                Exception? behindOutcome = await Outcome(behind); // a hang here is the bug
                Exception? targetOutcome = await Outcome(target);
                await writer.Completion;
                Specification.Assert(behindOutcome is null, $"an accepted write failed: {behindOutcome}");
                Specification.Assert(resource.Writes == 1, $"the accepted write ran {resource.Writes} times");
                Specification.Assert(targetOutcome is null or OperationCanceledException, $"unexpected outcome {targetOutcome}");
            },
            output);
    }

    [Fact]
    public void CheckThenActCancellation_IsCaught_ProvingTheHarnessCanFail()
    {
        // A deliberately broken hand-off: the writer checks "not cancelled" and the canceller checks "not started"
        // without an atomic claim, so a write can run although its caller was told it was cancelled.
        CoyoteRun.ExpectBug(
            async () =>
            {
                bool started = false, cancelled = false, ran = false;
                var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Task writerThread = Task.Run(() =>
                {
                    if (!Volatile.Read(ref cancelled))
                    {
                        Thread.Yield();
                        Volatile.Write(ref started, true);
                        ran = true;
                        tcs.TrySetResult();
                    }
                });
                Task canceller = Task.Run(() =>
                {
                    if (!Volatile.Read(ref started))
                    {
                        Volatile.Write(ref cancelled, true);
                        tcs.TrySetCanceled();
                    }
                });
                await Task.WhenAll([writerThread, canceller]);
                Specification.Assert(!(tcs.Task.IsCanceled && ran), "the caller saw a cancellation but the write ran");
            },
            output);
    }

    // A write is cancelled from another task while the write before it may be running and the one after it waits: it
    // either runs and succeeds or never runs and reports the cancellation, and the write after it runs.
    private static async Task CancelAWriteBetweenTwoAsync(SingleWriter<Resource> writer)
    {
        using var cts = new CancellationTokenSource();
        bool ran = false;
        Task first = writer.ExecuteAsync(r => r.Write());
        Task<int> target = writer.ExecuteAsync(_ =>
        {
            ran = true;
            return 1;
        }, cts.Token);
        Task canceller = Task.Run(cts.Cancel);
        Task<int> after = writer.ExecuteAsync(_ => 2);
        await first;
        await canceller;
        Exception? outcome = await Outcome(target);
        int second = await after;
        Specification.Assert(second == 2, "the write after a cancelled one did not run");
        Specification.Assert(
            outcome is null ? ran : outcome is OperationCanceledException && !ran,
            $"cancellation broke its contract: outcome {outcome?.GetType().Name ?? "success"}, ran {ran}");
    }

    private static async Task<Exception?> Outcome(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}
