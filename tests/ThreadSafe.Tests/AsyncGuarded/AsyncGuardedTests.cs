namespace ThreadSafe.Tests.AsyncGuarded;

/// <summary>Unit tests of every <see cref="AsyncGuarded{T}"/> member and misuse.</summary>
/// <remarks>Single-flow tests: every call here is uncontended except where a holder is set up, and those waits are bounded.</remarks>
public sealed class AsyncGuardedTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReadAsync_SyncDelegate_ReturnsResultSynchronously()
    {
        var guarded = new AsyncGuarded<List<int>>(new List<int> { 1, 2, 3 });
        Task<int> read = guarded.ReadAsync(l => l.Count).AsTask();
        Assert.True(read.IsCompletedSuccessfully);
        Assert.Equal(3, await read);
    }

    [Fact]
    public async Task ReadAsync_StatePassing_PassesState()
    {
        var guarded = new AsyncGuarded<List<int>>(new List<int> { 1, 2, 3 });
        Assert.Equal(2, await guarded.ReadAsync(1, static (l, i) => l[i]));
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
    public async Task WriteAsync_StateAction_MutatesValue()
    {
        var guarded = new AsyncGuarded<List<int>>([]);
        await guarded.WriteAsync(5, static (l, x) => l.Add(x));
        Assert.Equal(new[] { 5 }, await guarded.ReadAsync(l => l.ToArray()));
    }

    [Fact]
    public async Task WriteAsync_FuncWithResult_ReturnsResult()
    {
        var guarded = new AsyncGuarded<List<int>>([]);
        int count = await guarded.WriteAsync(l =>
        {
            l.Add(1);
            return l.Count;
        });
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task WriteAsync_StateFuncWithResult_ReturnsResult()
    {
        var guarded = new AsyncGuarded<List<int>>([]);
        int count = await guarded.WriteAsync(4, static (l, x) =>
        {
            l.Add(x);
            return l.Count;
        });
        Assert.Equal(1, count);
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
        await holder.WaitAsync(Timeout);
        Assert.Equal(2, await reader.WaitAsync(Timeout));
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
    public async Task UpdateAsync_Func_ReplacesValueAndReturnsIt()
    {
        var guarded = new AsyncGuarded<string>("a");
        Assert.Equal("ab", await guarded.UpdateAsync(s => s + "b"));
        Assert.Equal("ab", await guarded.ReadAsync(s => s));
    }

    [Fact]
    public async Task UpdateAsync_StateFunc_ReplacesValue()
    {
        var guarded = new AsyncGuarded<int>(1);
        Assert.Equal(11, await guarded.UpdateAsync(10, static (v, x) => v + x));
        Assert.Equal(11, await guarded.ReadAsync(v => v));
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
        Assert.Equal(1, await guarded.ReadAsync(v => v).AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task WriteAsync_DelegateThrows_ExceptionInTaskAndLockReleased()
    {
        var guarded = new AsyncGuarded<int>(0);
        Task failed = guarded.WriteAsync(_ => throw new InvalidTimeZoneException()).AsTask();
        Assert.True(failed.IsFaulted); // in the task, not thrown from the call
        await Assert.ThrowsAsync<InvalidTimeZoneException>(async () => await failed);
        await guarded.WriteAsync(_ => { }).AsTask().WaitAsync(Timeout);
    }

    [Fact]
    public async Task SnapshotAsync_WithCopy_ReturnsIndependentCopy()
    {
        var guarded = new AsyncGuarded<List<int>>(new List<int> { 1 }, copy: l => [.. l]);
        Assert.True(guarded.CanSnapshot);
        List<int> copy = await guarded.SnapshotAsync();
        copy.Add(2);
        Assert.Equal(1, await guarded.ReadAsync(l => l.Count));
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
    public void AllOverloads_NullDelegate_ThrowArgumentNullWithParamName()
    {
        var g = new AsyncGuarded<int>(0);
        Assert.Equal("read", Assert.Throws<ArgumentNullException>(() => { _ = g.ReadAsync((Func<int, int>)null!).AsTask(); }).ParamName);
        Assert.Equal("read", Assert.Throws<ArgumentNullException>(() => { _ = g.ReadAsync(1, (Func<int, int, int>)null!).AsTask(); }).ParamName);
        Assert.Equal("read", Assert.Throws<ArgumentNullException>(() => { _ = g.ReadAsync((Func<int, CancellationToken, ValueTask<int>>)null!).AsTask(); }).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => { _ = g.WriteAsync((Action<int>)null!).AsTask(); }).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => { _ = g.WriteAsync(1, (Action<int, int>)null!).AsTask(); }).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => { _ = g.WriteAsync((Func<int, int>)null!).AsTask(); }).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => { _ = g.WriteAsync(1, (Func<int, int, int>)null!).AsTask(); }).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => { _ = g.WriteAsync((Func<int, CancellationToken, ValueTask>)null!).AsTask(); }).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentNullException>(() => { _ = g.WriteAsync((Func<int, CancellationToken, ValueTask<int>>)null!).AsTask(); }).ParamName);
        Assert.Equal("update", Assert.Throws<ArgumentNullException>(() => { _ = g.UpdateAsync((Func<int, int>)null!).AsTask(); }).ParamName);
        Assert.Equal("update", Assert.Throws<ArgumentNullException>(() => { _ = g.UpdateAsync(1, (Func<int, int, int>)null!).AsTask(); }).ParamName);
        Assert.Equal("update", Assert.Throws<ArgumentNullException>(() => { _ = g.UpdateAsync((Func<int, CancellationToken, ValueTask<int>>)null!).AsTask(); }).ParamName);
    }

    [Fact]
    public void SyncOverload_AsyncLambda_ThrowsArgumentException()
    {
        var g = new AsyncGuarded<int>(0);
        // One-parameter async lambdas bind to Func<T, Task>: they would run past the lock. Rejected.
        Assert.Equal("write", Assert.Throws<ArgumentException>(() => { _ = g.WriteAsync(async v => await Task.Yield()).AsTask(); }).ParamName);
        Assert.Equal("read", Assert.Throws<ArgumentException>(() => { _ = g.ReadAsync(async v => { await Task.Yield(); return v; }).AsTask(); }).ParamName);
        Assert.Equal("write", Assert.Throws<ArgumentException>(() => { _ = g.WriteAsync(1, async (v, s) => { await Task.Yield(); return v + s; }).AsTask(); }).ParamName);
        Assert.Equal("read", Assert.Throws<ArgumentException>(() => { _ = g.ReadAsync(1, async (v, s) => { await Task.Yield(); return v + s; }).AsTask(); }).ParamName);
        var ex = Assert.Throws<ArgumentException>(() => { _ = g.WriteAsync(async v => await Task.Yield()).AsTask(); });
        Assert.Contains("AsyncGuarded<int>.WriteAsync", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyncOverload_NonAsyncDelegateReturningStoredTask_IsAccepted()
    {
        var stored = Task.FromResult(5);
        var g = new AsyncGuarded<Task<int>>(stored);
        Assert.Same(stored, await g.ReadAsync(t => t));
        Assert.Same(stored, await g.WriteAsync(t => t));
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
