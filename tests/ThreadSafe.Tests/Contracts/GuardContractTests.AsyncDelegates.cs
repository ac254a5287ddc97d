namespace ThreadSafe.Tests.Contracts;

/// <content>
/// Async delegates on the synchronous-delegate members: refused before the lock is taken, because they would run only
/// up to their first await under the lock and go on after it is released.
/// </content>
public abstract partial class GuardContractTests
{
    /// <summary>How the guard type names itself and its write member in a refusal, e.g. <c>Guarded&lt;Box&gt;.Write</c>.</summary>
    protected abstract string WriteMemberOfBox { get; }

    /// <summary>What a refusal tells the caller to use instead, e.g. <c>AsyncGuarded&lt;Box&gt;.WriteAsync</c>.</summary>
    protected abstract string AlternativeForBox { get; }

    [Fact]
    public async Task Write_AsyncLambda_IsRefusedBeforeItRuns_NamingTheMemberAndWhatToUseInstead()
    {
        IGuard<Box> guard = Create(new Box());
        bool ran = false;

        ArgumentException error = await Refused(() => guard.Write(async box =>
        {
            ran = true;
            await Task.Yield();
            box.Value = 1;
        }));

        Assert.Equal("write", error.ParamName);
        Assert.StartsWith(WriteMemberOfBox + " received an async delegate", error.Message, StringComparison.Ordinal);
        Assert.Contains(AlternativeForBox, error.Message, StringComparison.Ordinal);
        Assert.False(ran);
        await guard.Write(box => box.Value = 2); // the lock was never taken, or was released
        Assert.Equal(2, await guard.Read(box => box.Value));
    }

    [Fact]
    public async Task EveryDelegateOverload_AsyncDelegate_IsRefused_NamingTheParameter()
    {
        IGuard<Box> guard = Create(new Box());
        IGuard<Task> tasks = Create(Task.CompletedTask);

        Assert.Equal("write", (await Refused(() => guard.Write(1, async (box, value) => { await Task.Yield(); box.Value = value; }))).ParamName);
        Assert.Equal("write", (await Refused(() => guard.Write(1, async (box, value) => { await Task.Yield(); return box.Value + value; }))).ParamName);
        Assert.Equal("read", (await Refused(() => guard.Read(async box => { await Task.Yield(); return box.Value; }))).ParamName);
        Assert.Equal("read", (await Refused(() => guard.Read(1, async (box, value) => { await Task.Yield(); return box.Value + value; }))).ParamName);
        Assert.Equal("write", (await Refused(() => guard.Write(AsyncVoidWrite))).ParamName);
        Assert.Equal("write", (await Refused(() => guard.Write(2, AsyncVoidWriteWithState))).ParamName);
        Assert.Equal("update", (await Refused(() => tasks.Update(async task => await task))).ParamName);
        Assert.Equal("update", (await Refused(() => tasks.Update(1, async (task, _) => await task))).ParamName);
        Assert.Equal(0, await guard.Read(box => box.Value));
    }

    [Fact]
    public async Task ANonAsyncDelegateReturningAStoredTask_IsAccepted()
    {
        var stored = Task.FromResult(5);
        IGuard<Task<int>> guard = Create(stored);

        Assert.Same(stored, await guard.Read(task => task));
        Assert.Same(stored, await guard.Write(task => task));
        Assert.Same(stored, await guard.Update(task => task));
    }

    [Fact]
    public async Task Write_SameAsyncDelegateTwice_IsRefusedBothTimes()
    {
        IGuard<Box> guard = Create(new Box());
        Action<Box> asyncVoid = AsyncVoidWrite;

        await Refused(() => guard.Write(asyncVoid));
        await Refused(() => guard.Write(asyncVoid));
    }

    [Fact]
    public async Task Write_ClosuresOfOneCallSite_AreAcceptedEveryTime()
    {
        IGuard<Box> guard = Create(new Box());
        for (int i = 1; i <= 3; i++)
        {
            int add = i;
            await guard.Write(box => box.Value += add);
        }

        Assert.Equal(6, await guard.Read(box => box.Value));
    }

    /// <summary>The refusal, whether the call throws it or returns a task faulted with it.</summary>
    private static Task<ArgumentException> Refused(Func<Task> call) => Assert.ThrowsAsync<ArgumentException>(async () => await call());

#pragma warning disable VSTHRD100, AsyncFixer03 // async void on purpose: the shape the guard must refuse.
    /// <summary>An async void write: the shape every guard must refuse (also used by the per-type tests of TryWrite).</summary>
    internal static async void AsyncVoidWrite(Box box)
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

    /// <summary>A mutable value for the async-delegate checks.</summary>
    public sealed class Box
    {
        /// <summary>The value.</summary>
        public int Value { get; set; }
    }
}
