using System.Diagnostics;

namespace ThreadSafe;

/// <summary>
/// Drains every live <see cref="SingleWriter{TResource}"/> at process exit, side by side: all writers stop accepting
/// writes at once, then each is waited for until its own <see cref="SingleWriterOptions{TResource}.ProcessExitTimeout"/>
/// after that common start, so several hung writers take one timeout, not one each.
/// </summary>
internal static class SingleWriterProcessExit
{
    /// <summary>One writer's side of the process-exit drain.</summary>
    internal interface IWriter
    {
        /// <summary>Gets how long this writer may take to drain, counted from the common start.</summary>
        TimeSpan ProcessExitTimeout { get; }

        /// <summary>Stops accepting writes and returns the task that completes when the writer has ended.</summary>
        /// <returns>The writer's completion.</returns>
        Task BeginExitDrain();

        /// <summary>Whether the calling thread is the writer's own (it cannot wait for itself).</summary>
        /// <returns>True on the writer thread.</returns>
        bool IsOwnThread();

        /// <summary>Counts the accepted writes not yet acknowledged.</summary>
        /// <returns>The count.</returns>
        int CountUnacknowledged();

        /// <summary>Writes to standard error how many accepted writes were not acknowledged when the wait ended.</summary>
        /// <param name="unacknowledged">The count.</param>
        void ReportUnacknowledged(int unacknowledged);
    }

    // Guards Writers and s_hooked.
    private static readonly object Gate = new();

    // Guarded by Gate. Writers whose thread has not ended.
    private static readonly HashSet<IWriter> Writers = [];

    // Guarded by Gate. Whether OnProcessExit is attached to AppDomain.ProcessExit (once, on the first writer).
    private static bool s_hooked;

    public static void Register(IWriter writer)
    {
        lock (Gate)
        {
            Writers.Add(writer);
            if (!s_hooked)
            {
                s_hooked = true;
                AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
            }
        }
    }

    public static void Unregister(IWriter writer)
    {
        lock (Gate)
        {
            Writers.Remove(writer);
        }
    }

    /// <summary>Completes every writer, then waits for each until its timeout after the common start.</summary>
    /// <param name="writers">The writers to drain.</param>
    /// <returns>Per writer, the number of accepted writes not acknowledged when its wait ended (0 if its thread ended).</returns>
    public static int[] DrainSideBySide(IReadOnlyList<IWriter> writers)
    {
        long start = Stopwatch.GetTimestamp();
        var done = new Task[writers.Count];
        for (int i = 0; i < writers.Count; i++)
        {
            done[i] = writers[i].BeginExitDrain();
        }

        var unacknowledged = new int[writers.Count];
        for (int i = 0; i < writers.Count; i++)
        {
            TimeSpan left = writers[i].ProcessExitTimeout - Stopwatch.GetElapsedTime(start);
            bool finished;
            try
            {
                // A writer thread cannot wait for itself (the process exits from inside a write).
                finished = !writers[i].IsOwnThread() && done[i].Wait(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            catch (AggregateException)
            {
                finished = true; // the thread ended; closing the resource failed, but every write was acknowledged
            }

            unacknowledged[i] = finished ? 0 : writers[i].CountUnacknowledged();
        }

        return unacknowledged;
    }

    private static void OnProcessExit(object? sender, EventArgs e)
    {
        IWriter[] writers;
        lock (Gate)
        {
            writers = [.. Writers];
        }

        int[] unacknowledged = DrainSideBySide(writers);
        for (int i = 0; i < writers.Length; i++)
        {
            if (unacknowledged[i] > 0)
            {
                writers[i].ReportUnacknowledged(unacknowledged[i]);
            }
        }
    }
}
