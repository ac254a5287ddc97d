using System.Diagnostics;

namespace ThreadSafe.Tests.Shared;

/// <summary>
/// Bounded polling of a monitoring property (a count, a "waiting" flag) until it reaches a value. The verdict is
/// the condition itself, never the time it took: a condition not reached within <see cref="TestLimits.Wait"/>
/// fails the test with <paramref name="what"/> in the message.
/// </summary>
internal static class Poll
{
    /// <summary>Blocks the calling thread until <paramref name="condition"/> holds; fails the test after the limit.</summary>
    public static void Until(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        TimeSpan bound = limit ?? TestLimits.Wait;
        var clock = Stopwatch.StartNew();
        var spin = default(SpinWait);
        while (!condition())
        {
            Assert.True(clock.Elapsed < bound, $"Not reached within {bound.TotalSeconds:0.#} s: {what}.");
            spin.SpinOnce(); // yields, then sleeps a millisecond at a time: no core is burnt while waiting
        }
    }

    /// <summary>Awaits until <paramref name="condition"/> holds; fails the test after the limit.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        TimeSpan bound = limit ?? TestLimits.Wait;
        var clock = Stopwatch.StartNew();
        int round = 0;
        while (!condition())
        {
            Assert.True(clock.Elapsed < bound, $"Not reached within {bound.TotalSeconds:0.#} s: {what}.");
            if (++round < 100)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(1);
            }
        }
    }

    /// <summary>Awaits <paramref name="task"/> within the limit; a task still running then fails the test naming <paramref name="what"/>.</summary>
    public static async Task Within(Task task, string what, TimeSpan? limit = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        TimeSpan bound = limit ?? TestLimits.Wait;
        try
        {
            await task.WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Did not finish within {bound.TotalSeconds:0.#} s (deadlock or lost wake-up?): {what}.");
        }
    }

    /// <summary>Awaits <paramref name="task"/> within the limit and returns its result.</summary>
    public static async Task<T> Within<T>(Task<T> task, string what, TimeSpan? limit = null)
    {
        await Within((Task)task, what, limit);
        return await task;
    }
}
