namespace ThreadSafe;

/// <summary>Names of guards in messages and reports: the name given at construction, or the C# type and a short id.</summary>
internal static class GuardedNames
{
    // The last id handed out; incremented atomically, so ids are unique for the life of the process.
    private static int s_lastId;

    /// <summary>A new process-unique id for a guard.</summary>
    public static int NextId() => Interlocked.Increment(ref s_lastId);

    /// <summary>The default name of <paramref name="guard"/>: its C# type and id, as in <c>Guarded&lt;List&lt;int&gt;&gt;#7</c>.</summary>
    public static string Default(object guard, int id) => $"{TypeNames.Format(guard.GetType())}#{id}";

    /// <summary>Validates a name or lock class given at construction: null (none) or not blank.</summary>
    public static string? Validate(string? value, string parameterName) =>
        value is not null && string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException("A guard's name or lock class must not be empty or white space; pass null for the default.", parameterName)
            : value;
}
