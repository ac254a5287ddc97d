using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.AsyncGuarded;

/// <summary>
/// Unit tests of what only <see cref="AsyncGuarded{T}"/> has (async-delegate overloads, synchronous completion, tokens);
/// what every guard does is checked by <see cref="Contracts.AsyncGuardedContractTests"/>.
/// </summary>
/// <remarks>Single-flow tests: every call here is uncontended except where a holder is set up, and those waits are bounded.</remarks>
public sealed class AsyncGuardedTests
{
    [Fact]
    public async Task ReadAsync_SyncDelegate_ReturnsResultSynchronously()
    {
        var guarded = new AsyncGuarded<List<int>>(new List<int> { 1, 2, 3 });
        Task<int> read = guarded.ReadAsync(l => l.Count).AsTask();
        Assert.True(read.IsCompletedSuccessfully);
        Assert.Equal(3, await read);
    }

    [Fact]
    public async Task ReadAsync_AsyncDelegate_ReturnsResultAfterAwait()
    {
        var guarded = new AsyncGuarded<List<int>>(new List<int> { 1, 2, 3 });
        int sum = await guarded.ReadAsync(async (l, ct) =>
        {
            await Task.Yield();
            return l.Sum();
        });
        Assert.Equal(6, sum);
    }

    [Fact]
    public async Task WriteAsync_Action_MutatesValue()
    {
        var guarded = new AsyncGuarded<List<int>>([]);
        Task write = guarded.WriteAsync(l => l.Add(7)).AsTask();
        Assert.True(write.IsCompletedSuccessfully);
        await write;
        Assert.Equal(new[] { 7 }, await guarded.ReadAsync(l => l.ToArray()));
    }

    [Fact]
    public async Task WriteAsync_AsyncDelegate_HoldsLockAcrossAwait()
    {
        var guarded = new AsyncGuarded<List<int>>([]);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task holder = guarded.WriteAsync(async (l, ct) =>
        {
            l.Add(1);
            await gate.Task;
            l.Add(2);
        }).AsTask();
        Task<int> reader = guarded.ReadAsync(l => l.Count).AsTask();
        Assert.False(reader.IsCompleted); // queued behind the holder, which is suspended inside its delegate
        gate.SetResult();
        await holder.WaitAsync(TestLimits.Wait);
        Assert.Equal(2, await reader.WaitAsync(TestLimits.Wait));
    }

    [Fact]
    public async Task WriteAsync_AsyncDelegateWithResult_ReturnsResult()
    {
        var guarded = new AsyncGuarded<List<int>>([]);
        int count = await guarded.WriteAsync(async (l, ct) =>
        {
            await Task.Yield();
            l.Add(3);
            return l.Count;
        });
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task UpdateAsync_AsyncDelegate_ReplacesValue()
    {
        var guarded = new AsyncGuarded<int>(1);
        Assert.Equal(2, await guarded.UpdateAsync(async (v, ct) =>
        {
            await Task.Yield();
            return v + 1;
        }));
        Assert.Equal(2, await guarded.ReadAsync(v => v));
    }

    [Fact]
    public async Task UpdateAsync_DelegateThrows_ValueUnchangedAndLockReleased()
    {
        var guarded = new AsyncGuarded<int>(1);
        await Assert.ThrowsAsync<InvalidTimeZoneException>(async () => await guarded.UpdateAsync(v => throw new InvalidTimeZoneException()));
        await Assert.ThrowsAsync<InvalidTimeZoneException>(async () => await guarded.UpdateAsync(async (v, ct) =>
        {
            await Task.Yield();
            throw new InvalidTimeZoneException();
        }));
        Assert.Equal(1, await guarded.ReadAsync(v => v).AsTask().WaitAsync(TestLimits.Wait));
    }

    [Fact]
    public async Task WriteAsync_DelegateThrows_ExceptionInTaskAndLockReleased()
    {
        var guarded = new AsyncGuarded<int>(0);
        Task failed = guarded.WriteAsync(_ => throw new InvalidTimeZoneException()).AsTask();
        Assert.True(failed.IsFaulted); // in the task, not thrown from the call
        await Assert.ThrowsAsync<InvalidTimeZoneException>(async () => await failed);
        await guarded.WriteAsync(_ => { }).AsTask().WaitAsync(TestLimits.Wait);
    }

    [Fact]
    public void SnapshotAsync_WithoutCopy_ThrowsInvalidOperationSayingHow()
    {
        var guarded = new AsyncGuarded<List<int>>([]);
        Assert.False(guarded.CanSnapshot);
        var ex = Assert.Throws<InvalidOperationException>(() => { _ = guarded.SnapshotAsync().AsTask(); });
        Assert.Contains("copy:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_NamesTypeArgument()
    {
        Assert.Matches(@"^AsyncGuarded<int>#\d+$", new AsyncGuarded<int>(0).ToString());
        Assert.Equal("prices", new AsyncGuarded<int>(0, name: "prices").ToString());
    }

    [Fact]
    public void AsyncDelegateOverloads_NullDelegate_ThrowArgumentNullWithParamName()
    {
        var g = new AsyncGuarded<int>(0);
        Assert.Equal("read", Assert.Throws<ArgumentNullException>(() => { _ = g.ReadAsync((Func<int, CancellationToken, ValueTask<int>>)null!).AsTask(); }).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => { _ = g.WriteAsync((Func<int, CancellationToken, ValueTask>)null!).AsTask(); }).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => { _ = g.WriteAsync((Func<int, CancellationToken, ValueTask<int>>)null!).AsTask(); }).ParamName);
        Assert.Equal("update", Assert.Throws<ArgumentNullException>(() => { _ = g.UpdateAsync((Func<int, CancellationToken, ValueTask<int>>)null!).AsTask(); }).ParamName);
    }

    [Fact]
    public void SyncOverload_AsyncLambda_IsRefusedByAThrowFromTheCall_NotAFaultedTask()
    {
        var g = new AsyncGuarded<int>(0);
        Assert.Equal("write", Assert.Throws<ArgumentException>(() => { _ = g.WriteAsync(async v => await Task.Yield()).AsTask(); }).ParamName);
    }

    [Fact]
    public async Task SyncOverload_NonAsyncDelegateReturningAValueTask_IsAccepted()
    {
        Assert.Equal(default, await new AsyncGuarded<int>(0).ReadAsync(v => new ValueTask()));
        Assert.Equal(3, await await new AsyncGuarded<int>(3).ReadAsync(v => ValueTask.FromResult(v)));
    }

    [Fact]
    public async Task AllOverloads_AlreadyCancelledToken_CanceledWithoutRunningDelegate()
    {
        var g = new AsyncGuarded<int>(0);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        CancellationToken t = cts.Token;
        bool ran = false;
        Task[] calls =
        [
            g.ReadAsync(v => ran = true, t).AsTask(),
            g.ReadAsync(0, (v, s) => ran = true, t).AsTask(),
            g.ReadAsync((v, ct) => ValueTask.FromResult(ran = true), t).AsTask(),
            g.WriteAsync(v => { ran = true; }, t).AsTask(),
            g.WriteAsync(0, (v, s) => { ran = true; }, t).AsTask(),
            g.WriteAsync(v => ran = true, t).AsTask(),
            g.WriteAsync(0, (v, s) => ran = true, t).AsTask(),
            g.WriteAsync((v, ct) => { ran = true; return ValueTask.CompletedTask; }, t).AsTask(),
            g.WriteAsync((v, ct) => ValueTask.FromResult(ran = true), t).AsTask(),
            g.UpdateAsync(v => { ran = true; return v; }, t).AsTask(),
            g.UpdateAsync(0, (v, s) => { ran = true; return v; }, t).AsTask(),
            g.UpdateAsync((v, ct) => { ran = true; return ValueTask.FromResult(v); }, t).AsTask(),
        ];
        foreach (Task call in calls)
        {
            Assert.True(call.IsCanceled);
        }

        Assert.False(ran);
        Assert.True(g.WriteAsync(_ => { }).IsCompletedSuccessfully); // nothing acquired: the lock is free
    }

    [Fact]
    public async Task SnapshotAsync_AlreadyCancelledToken_Canceled()
    {
        var g = new AsyncGuarded<int>(0, copy: v => v);
        Task<int> snapshot = g.SnapshotAsync(new CancellationToken(canceled: true)).AsTask();
        Assert.True(snapshot.IsCanceled);
        Assert.Equal(0, await g.SnapshotAsync());
    }

    [Fact]
    public async Task WriteAsync_StatePassingUncontended_CompletesSynchronously()
    {
        // Zero allocation is measured where the library is not rewritten by Coyote: the benchmark
        // (MemoryDiagnoser) and the QuickTour section, which checks GC.GetAllocatedBytesForCurrentThread.
        var g = new AsyncGuarded<int[]>(new int[1]);
        for (int i = 0; i < 100; i++)
        {
            Assert.True(g.WriteAsync(1, static (a, x) => { a[0] += x; }).IsCompletedSuccessfully);
        }

        Assert.Equal(100, await g.ReadAsync(static a => a[0]));
    }
}
