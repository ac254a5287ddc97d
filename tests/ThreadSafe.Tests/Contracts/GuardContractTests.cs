using ThreadSafe.Testing;
using ThreadSafe.Tests.Shared;

namespace ThreadSafe.Tests.Contracts;

/// <summary>
/// The behaviour every guard type (a value that owns its lock) shares, written once and run against each through
/// <see cref="IGuard{T}"/>: <see cref="GuardedContractTests"/>, <see cref="ReadWriteGuardedContractTests"/>,
/// <see cref="AsyncGuardedContractTests"/>. A new guard type gets the whole contract by adding a subclass. What
/// only one type does (timeouts, reader concurrency, async delegates, FIFO hand-off) stays in its own tests.
/// </summary>
public abstract partial class GuardContractTests
{
    /// <summary>Creates the guard under test around <paramref name="value"/>, with an optional copy function.</summary>
    protected abstract IGuard<T> Create<T>(T value, Func<T, T>? copy = null);

    [Fact]
    public async Task Read_ReturnsTheDelegatesResult_OnTheValueGivenToTheConstructor()
    {
        IGuard<List<int>> guard = Create(new List<int> { 1, 2, 3 });

        Assert.Equal(3, await guard.Read(list => list.Count));
        Assert.Equal(6, await guard.Read(10, static (list, offset) => offset - list.Count - 1));
    }

    [Fact]
    public async Task Write_MutatesTheValueInPlace_AndALaterReadSeesIt()
    {
        IGuard<List<int>> guard = Create(new List<int>());

        await guard.Write(list => list.Add(1));
        await guard.Write(2, static (list, item) => list.Add(item));
        int count = await guard.Write(list =>
        {
            list.Add(3);
            return list.Count;
        });
        int countWithState = await guard.Write(4, static (list, item) =>
        {
            list.Add(item);
            return list.Count;
        });

        Assert.Equal(3, count);
        Assert.Equal(4, countWithState);
        Assert.Equal("1,2,3,4", await guard.Read(list => string.Join(",", list)));
    }

    [Fact]
    public async Task Update_ReplacesTheValue_AndReturnsTheNewOne()
    {
        IGuard<int> guard = Create(40);

        Assert.Equal(41, await guard.Update(n => n + 1));
        Assert.Equal(42, await guard.Update(1, static (n, step) => n + step));
        Assert.Equal(42, await guard.Read(n => n));
    }

    [Fact]
    public async Task Snapshot_ReturnsACopyMadeByTheCopyFunction_NotTheGuardedValue()
    {
        var original = new List<int> { 1 };
        IGuard<List<int>> guard = Create(original, copy: list => new List<int>(list));

        Assert.True(guard.CanSnapshot);
        List<int> snapshot = await guard.Snapshot();
        snapshot.Add(2);

        Assert.NotSame(original, snapshot);
        Assert.Equal(1, await guard.Read(list => list.Count));
    }

    [Fact]
    public async Task Snapshot_WithoutACopyFunction_ThrowsInvalidOperationException()
    {
        IGuard<List<int>> guard = Create(new List<int>());

        Assert.False(guard.CanSnapshot);
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await guard.Snapshot());
        Assert.Contains("copy", error.Message, StringComparison.Ordinal); // says how to create the guard so that it works
    }

    [Fact]
    public async Task NullDelegates_ThrowArgumentNullException_NamingTheParameter()
    {
        IGuard<int> guard = Create(0);

        Assert.Equal("read", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await guard.Read<int>(null!))).ParamName);
        Assert.Equal("read", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await guard.Read<int, int>(0, null!))).ParamName);
        Assert.Equal("write", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await guard.Write(null!))).ParamName);
        Assert.Equal("write", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await guard.Write<int>(null!))).ParamName);
        Assert.Equal("write", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await guard.Write(0, (Action<int, int>)null!))).ParamName);
        Assert.Equal("write", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await guard.Write<int, int>(0, null!))).ParamName);
        Assert.Equal("update", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await guard.Update(null!))).ParamName);
        Assert.Equal("update", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await guard.Update<int>(0, null!))).ParamName);
        Assert.Equal(0, await guard.Read(n => n));
    }

    [Theory]
    [InlineData("Read")]
    [InlineData("ReadState")]
    [InlineData("Write")]
    [InlineData("WriteState")]
    [InlineData("WriteResult")]
    [InlineData("WriteStateResult")]
    [InlineData("Update")]
    [InlineData("UpdateState")]
    [InlineData("Snapshot")]
    public async Task ACallFromInsideItsOwnDelegate_ThrowsLockRecursionException_AndTheGuardStaysUsable(string inner)
    {
        IGuard<List<int>> guard = Create(new List<int>(), copy: list => new List<int>(list));
        Func<Task> nested = inner switch
        {
            "Read" => () => guard.Read(list => list.Count),
            "ReadState" => () => guard.Read(1, static (list, add) => list.Count + add),
            "Write" => () => guard.Write(list => list.Add(1)),
            "WriteState" => () => guard.Write(1, static (list, item) => list.Add(item)),
            "WriteResult" => () => guard.Write(list => list.Count),
            "WriteStateResult" => () => guard.Write(1, static (list, add) => list.Count + add),
            "Update" => () => guard.Update(list => list),
            "UpdateState" => () => guard.Update(1, static (list, _) => list),
            "Snapshot" => () => guard.Snapshot(),
            _ => throw new ArgumentOutOfRangeException(nameof(inner)),
        };

        Exception? fromRead = await guard.Read(_ => OutcomeOf(nested));
        Exception? fromWrite = await guard.Write(_ => OutcomeOf(nested));
        Exception? fromUpdate = null;
        await guard.Update(list =>
        {
            fromUpdate = OutcomeOf(nested);
            return list;
        });

        Assert.IsType<LockRecursionException>(fromRead);
        Assert.IsType<LockRecursionException>(fromWrite);
        Assert.IsType<LockRecursionException>(fromUpdate);
        await guard.Write(list => list.Add(7));
        Assert.Equal(7, await Poll.Within(guard.Read(list => list.Single()), "a read after the recursion"));
    }

    [Theory]
    [InlineData("Read")]
    [InlineData("Write")]
    [InlineData("Update")]
    public async Task AnExceptionInADelegate_ReachesTheCaller_AndReleasesTheLock(string member)
    {
        IGuard<List<int>> guard = Create(new List<int>());
        var boom = new InvalidOperationException("boom");

        InvalidOperationException thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            switch (member)
            {
                case "Read":
                    await guard.Read<int>(_ => throw boom);
                    break;
                case "Write":
                    await guard.Write(_ => throw boom);
                    break;
                default:
                    await guard.Update(_ => throw boom);
                    break;
            }
        });

        Assert.Same(boom, thrown);

        // Another thread can take the (write) lock: a lock leaked by the throwing call would block it until the limit.
        await Poll.Within(Task.Run(async () => await guard.Write(list => list.Add(1))), $"a write on another thread after a throwing {member}");
        Assert.Equal(1, await guard.Read(list => list.Count));
    }

    [Fact]
    public async Task Update_ThatThrows_LeavesTheValueUnchanged()
    {
        IGuard<string> guard = Create("kept");

        await Assert.ThrowsAsync<FormatException>(async () => await guard.Update(_ => throw new FormatException()));
        await Assert.ThrowsAsync<FormatException>(async () => await guard.Update(0, static (_, _) => throw new FormatException()));

        Assert.Equal("kept", await guard.Read(value => value));
    }

    [Fact]
    public async Task ACallFromInsideTheDelegateOfAnotherGuard_Runs()
    {
        IGuard<Counter> first = Create(new Counter { Value = 1 });
        IGuard<Counter> second = Create(new Counter());

        Exception? nested = await first.Write(outer => OutcomeOf(() => second.Write(inner => { inner.Value = outer.Value + 1; })));

        Assert.Null(nested);
        Assert.Equal(2, await second.Read(counter => counter.Value));
    }

    [Fact]
    public async Task ConcurrentWritersAndUpdaters_LoseNoUpdate()
    {
        const int Threads = 4;
        int perThread = TestLimits.Size(quick: 2_000, stress: 200_000);
        IGuard<Counter> guard = Create(new Counter());

        await Concurrently.RunAsync(
            async index =>
            {
                for (int i = 0; i < perThread; i++)
                {
                    if (index % 2 == 0)
                    {
                        await guard.Write(counter => counter.Value++);
                    }
                    else
                    {
                        await guard.Update(counter => new Counter { Value = counter.Value + 1 });
                    }
                }
            },
            new ConcurrentRunOptions { Threads = Threads, Timeout = TestLimits.StressRun });

        Assert.Equal(Threads * perThread, await guard.Read(counter => counter.Value));
    }

    /// <summary>Runs <paramref name="call"/> from inside a delegate and returns what it threw (waiting, bounded, for an asynchronous outcome).</summary>
    private static Exception? OutcomeOf(Func<Task> call)
    {
        Task task;
        try
        {
            task = call();
        }
        catch (Exception ex)
        {
            return ex;
        }

        try
        {
            return task.Wait(TestLimits.Wait) ? null : new TimeoutException("The nested call neither completed nor threw: it waited for the lock its caller holds.");
        }
        catch (AggregateException ex)
        {
            return ex.InnerException;
        }
    }

    /// <summary>A mutable counter: <c>Write</c> mutates it in place, <c>Update</c> replaces it.</summary>
    public sealed class Counter
    {
        /// <summary>The count.</summary>
        public int Value { get; set; }
    }
}
