using System.Runtime.ExceptionServices;

namespace ThreadSafe.Testing.Histories;

/// <summary>
/// Checks the parts of a partitioned history in parallel: the calling thread and up to one helper task per
/// other core each take the next unclaimed part until none is left or the signal stops them.
/// </summary>
/// <remarks>
/// The caller works too and waits only for parts a helper has claimed and not finished, never for a helper to
/// start: on a busy machine a pool thread can take milliseconds to get a core, longer than checking a small history
/// alone. A helper that starts after every part was claimed finds nothing to do and ends.
/// </remarks>
internal static class PartRunner
{
    /// <summary>Runs <paramref name="run"/> once for each part not skipped by <paramref name="stop"/>; rethrows the first exception after every claimed part ended.</summary>
    /// <param name="count">How many parts.</param>
    /// <param name="run">Checks one part.</param>
    /// <param name="stop">Stops the remaining parts; set here when a part throws.</param>
    public static void Run(int count, Action<int> run, StopSignal stop)
    {
        if (count == 1)
        {
            run(0);
            return;
        }

        var state = new State(count, run, stop);
        int helpers = Math.Min(Environment.ProcessorCount, count) - 1;
        for (int h = 0; h < helpers; h++)
        {
            _ = Task.Run(state.Work);
        }

        state.Work();

        // Every part is claimed now; wait for those still running on helpers. Their searches poll the signal, so
        // after a failure or at the deadline they end within one check interval.
        state.AllEnded.Wait();
        state.Failure?.Throw();
    }

    private sealed class State(int count, Action<int> run, StopSignal stop)
    {
        private readonly int _count = count;
        private readonly TaskCompletionSource _allEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Invariant: every index in [0, count) is handed out exactly once by Interlocked.Increment, and its claimant
        // decrements _unended exactly once after running or skipping it; so _unended reaches 0 exactly once, when the
        // last part has ended, and every write a part made happens before that decrement (Interlocked is a full fence),
        // hence before the waiter returns from AllEnded.
        private int _nextPart = -1;
        private int _unended = count;
        private ExceptionDispatchInfo? _failure;

        public Task AllEnded => _allEnded.Task;

        public ExceptionDispatchInfo? Failure => Volatile.Read(ref _failure);

        public void Work()
        {
            for (int p = Interlocked.Increment(ref _nextPart); p < _count; p = Interlocked.Increment(ref _nextPart))
            {
                try
                {
                    if (!stop.ShouldStop())
                    {
                        run(p);
                    }
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(ex), null);
                    stop.Stop();
                }
                finally
                {
                    if (Interlocked.Decrement(ref _unended) == 0)
                    {
                        _allEnded.SetResult();
                    }
                }
            }
        }
    }
}
