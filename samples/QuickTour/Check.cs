namespace QuickTour;

/// <summary>Verification used by every section: a mismatch ends the tour with a failure.</summary>
internal static class Check
{
    public static void That(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }

    /// <summary>Starts <paramref name="count"/> threads running <paramref name="body"/> and waits for all of them (bounded).</summary>
    public static void RunThreads(int count, Action<int> body)
    {
        var threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            int index = i;
            threads[i] = new Thread(() => body(index)) { Name = $"tour-{index}", IsBackground = true };
            threads[i].Start();
        }

        foreach (Thread thread in threads)
        {
            That(thread.Join(TimeSpan.FromSeconds(60)), $"thread {thread.Name} did not finish within 60 s");
        }
    }
}
