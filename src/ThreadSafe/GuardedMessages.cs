namespace ThreadSafe;

/// <summary>Messages shared by the guard types, so they read the same everywhere.</summary>
internal static class GuardedMessages
{
    /// <summary>What to use instead of a synchronous guard for an async delegate.</summary>
    public static string UseAsyncGuarded(Type valueType, string member) =>
        $"AsyncGuarded<{TypeNames.Format(valueType)}>.{(member.StartsWith("Try", StringComparison.Ordinal) ? member[3..] : member)}Async with an async (value, cancellationToken) => ... delegate, " +
        "which holds the lock until the delegate's task completes";

    /// <summary>What to use instead of an <see cref="AsyncGuarded{T}"/> synchronous overload for an async delegate.</summary>
    public const string UseAsyncOverload =
        "the overload taking an async (value, cancellationToken) => ... delegate, which holds the lock until the delegate's task completes";

    /// <summary>The exception for a snapshot of a guard that was created without a copy function.</summary>
    public static InvalidOperationException NoCopyFunction(object guard, string member) =>
        new($"{member} needs a copy function: create the guard with new {TypeNames.Format(guard.GetType())}(value, copy: v => /* deep copy of v */). " +
            "Handing out the guarded reference itself would let callers use it without the lock.");
}
