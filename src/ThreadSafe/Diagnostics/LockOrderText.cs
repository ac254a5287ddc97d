using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace ThreadSafe.Diagnostics;

/// <summary>How threads and call stacks are written in lock-order reports.</summary>
internal static class LockOrderText
{
    /// <summary>The current thread as "id ('name')" or "id (unnamed)".</summary>
    public static string CurrentThread()
    {
        Thread thread = Thread.CurrentThread;
        return thread.Name is { Length: > 0 } name ? $"{thread.ManagedThreadId} ('{name}')" : $"{thread.ManagedThreadId} (unnamed)";
    }

    /// <summary>The caller's stack, starting at the first frame outside this library (the user's call of the guard).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification =
        "Method metadata is used only to skip this library's own frames; if trimming removed it, the report shows a few more frames.")]
    public static string CallStack()
    {
        var trace = new StackTrace(1, fNeedFileInfo: true);
        StackFrame[] frames = trace.GetFrames();
        int first = 0;
        while (first < frames.Length - 1 && frames[first].GetMethod()?.DeclaringType?.Assembly == typeof(LockOrderText).Assembly)
        {
            first++;
        }

        return new StackTrace(frames[first..]).ToString();
    }
}
