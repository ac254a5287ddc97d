using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.Guarded;

/// <summary>What the debugger shows for each guard: its name and whether it is held (and by how many, or with how many waiting).</summary>
public sealed class GuardedDebuggerStateTests
{
    [Fact]
    public void Guarded_DebuggerState_HeldInsideADelegate_FreeOutside()
    {
        var guarded = new Guarded<int>(0);
        Assert.Equal("free", guarded.DebuggerState);
        Assert.Equal("held", guarded.Read(_ => guarded.DebuggerState));
        Assert.Equal("free", guarded.DebuggerState);
    }

    [Fact]
    public void ReadWriteGuarded_DebuggerState_TellsReadFromWriteHolds()
    {
        var guarded = new ReadWriteGuarded<int>(0);
        Assert.Equal("free", guarded.DebuggerState);
        Assert.Equal("read-held by 1", guarded.Read(_ => guarded.DebuggerState));
        Assert.Equal("write-held", guarded.Write(_ => guarded.DebuggerState));
    }

    [Fact]
    public async Task AsyncGuarded_DebuggerState_CountsWaiters()
    {
        var guarded = new AsyncGuarded<int>(0);
        Assert.Equal("free", guarded.DebuggerState);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task holder = guarded.WriteAsync(async (_, _) =>
        {
            entered.SetResult();
            await release.Task;
        }).AsTask();
        await entered.Task.WaitAsync(TestLimits.Wait);
        Assert.Equal("held", guarded.DebuggerState);
        Task waiter = guarded.WriteAsync(_ => { }).AsTask();
        Assert.Equal("held, 1 waiting", guarded.DebuggerState);
        release.SetResult();
        await Task.WhenAll(holder, waiter).WaitAsync(TestLimits.Wait);
        Assert.Equal("free", guarded.DebuggerState);
    }
}
