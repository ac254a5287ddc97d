using System.Globalization;

namespace ThreadSafe.Diagnostics;

/// <summary>A flow (a thread, or an async flow) holding or waiting for a guard, as diagnostics saw it at one moment.</summary>
public sealed class LockFlow
{
    internal LockFlow(LockEntry entry, bool holding, TimeSpan duration, DateTimeOffset since)
    {
        ThreadId = entry.ThreadId;
        ThreadName = entry.ThreadName;
        TaskId = entry.TaskId;
        Access = entry.Access;
        IsAsync = entry.IsAsync;
        IsHolding = holding;
        Duration = duration;
        Since = since;
    }

    /// <summary>Gets the managed id of the thread that started the acquisition (an async flow may have moved on to others since).</summary>
    public int ThreadId { get; }

    /// <summary>Gets the name of that thread, or <see langword="null"/> if it had none.</summary>
    public string? ThreadName { get; }

    /// <summary>Gets the id of the task that started the acquisition (<see cref="Task.CurrentId"/>), or <see langword="null"/> outside a task.</summary>
    public int? TaskId { get; }

    /// <summary>Gets how the flow holds or waits for the guard.</summary>
    public LockAccess Access { get; }

    /// <summary>Gets a value indicating whether the flow is an async one that keeps the guard across awaits (an <see cref="AsyncGuarded{T}"/> delegate).</summary>
    public bool IsAsync { get; }

    /// <summary>Gets a value indicating whether the flow holds the guard; otherwise it waits for it.</summary>
    public bool IsHolding { get; }

    /// <summary>Gets how long the flow had held (or waited for) the guard when the information was taken.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Gets when the flow began to hold (or wait for) the guard, by the diagnostics clock.</summary>
    public DateTimeOffset Since { get; }

    /// <summary>Describes the flow: <c>thread 7 'orders', write, for 1.250 s</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        string who = ThreadName is null
            ? $"thread {ThreadId}"
            : $"thread {ThreadId} '{ThreadName}'";
        if (TaskId is int task)
        {
            who += IsAsync ? $" (async flow of task {task})" : $" (task {task})";
        }

        string access = Access switch
        {
            LockAccess.Read => "read, ",
            LockAccess.Write => "write, ",
            _ => "",
        };
        return string.Create(CultureInfo.InvariantCulture, $"{who}, {access}for {Duration.TotalSeconds:0.000} s");
    }
}
