namespace ThreadSafe.Tests.Guarded;

/// <summary>Async delegates on the synchronous guard: refused before the lock is taken, because they would go on after it is released.</summary>
public sealed class GuardedAsyncDelegateTests
{
    private sealed class Box
    {
        public int Value;
    }

    [Fact]
    public void Write_AsyncLambda_IsRefusedBeforeItRuns_NamingAsyncGuarded()
    {
        var guarded = new Guarded<Box>(new Box());
        bool ran = false;
        var ex = Refused(() => guarded.Write(async b =>
        {
            ran = true;
            await Task.Yield();
            b.Value = 1;
        }));
        Assert.Equal("write", ex.ParamName);
        Assert.Contains("Guarded<Box>.Write", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AsyncGuarded<Box>", ex.Message, StringComparison.Ordinal);
        Assert.False(ran);
        guarded.Write(b => b.Value = 2); // the lock was never taken or was released
    }

    [Fact]
    public void EveryDelegateOverload_AsyncDelegate_IsRefused()
    {
        var guarded = new Guarded<Box>(new Box());
        Assert.Equal("write", Refused(() => guarded.Write(1, async (b, s) => { await Task.Yield(); b.Value = s; })).ParamName);
        Assert.Equal("read", Refused(() => guarded.Read(async b => { await Task.Yield(); return b.Value; })).ParamName);
        Assert.Equal("read", Refused(() => guarded.Read(1, async (b, s) => { await Task.Yield(); return b.Value + s; })).ParamName);
        Assert.Equal("write", Refused(() => guarded.Write(AsyncVoidWrite)).ParamName);
        Assert.Equal("write", Refused(() => guarded.Write(2, AsyncVoidWriteWithState)).ParamName);
        Assert.Equal("write", Refused(() => guarded.TryWrite(AsyncVoidWrite, TimeSpan.Zero)).ParamName);
        var tasks = new Guarded<Task>(Task.CompletedTask);
        Assert.Equal("update", Refused(() => tasks.Update(async t => await t)).ParamName);
        Assert.Equal("update", Refused(() => tasks.Update(1, async (t, s) => await t)).ParamName);
        Assert.Equal(0, guarded.Read(b => b.Value));
    }

    [Fact]
    public void Read_NonAsyncDelegateReturningStoredTask_IsAccepted()
    {
        var stored = Task.FromResult(5);
        var guarded = new Guarded<Task<int>>(stored);
        Assert.Same(stored, guarded.Read(t => t));
        Assert.Same(stored, guarded.Write(t => t));
        Assert.Same(stored, guarded.Update(t => t));
    }

    [Fact]
    public void Write_SameAsyncDelegateTwice_IsRefusedBothTimes()
    {
        var guarded = new Guarded<Box>(new Box());
        Action<Box> asyncVoid = AsyncVoidWrite;
        Refused(() => guarded.Write(asyncVoid));
        Refused(() => guarded.Write(asyncVoid));
    }

    [Fact]
    public void Write_ClosuresOfOneCallSite_AreAcceptedEveryTime()
    {
        var guarded = new Guarded<Box>(new Box());
        for (int i = 1; i <= 3; i++)
        {
            int add = i;
            guarded.Write(b => b.Value += add);
        }

        Assert.Equal(6, guarded.Read(b => b.Value));
    }

    // Assert.Throws on a task-returning lambda would be taken for an async assertion: the call itself must throw.
    private static ArgumentException Refused(Func<object?> call) => Assert.Throws<ArgumentException>(() => { _ = call(); });

    private static ArgumentException Refused(Action call) => Assert.Throws<ArgumentException>(call);

#pragma warning disable VSTHRD100, AsyncFixer03 // async void on purpose: the shape the guard must refuse.
    private static async void AsyncVoidWrite(Box box)
    {
        await Task.Yield();
        box.Value = 99;
    }

    private static async void AsyncVoidWriteWithState(Box box, int state)
    {
        await Task.Yield();
        box.Value = state;
    }
#pragma warning restore VSTHRD100, AsyncFixer03
}
