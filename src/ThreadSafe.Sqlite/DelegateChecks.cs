using System.Runtime.CompilerServices;

namespace ThreadSafe.Sqlite;

/// <summary>Refuses <see langword="async"/> delegates (and delegates that return tasks) where only a synchronous one can keep the promise.</summary>
internal static class DelegateChecks
{
    /// <summary>
    /// Throws if <paramref name="body"/> is an <see langword="async"/> lambda or method (its compiled method carries
    /// <see cref="AsyncStateMachineAttribute"/>) or returns a task. Such a delegate would run on the connection only up to
    /// its first await; the rest would run after the write was committed (or the read connection returned), on a
    /// connection that another caller may already be using.
    /// </summary>
    public static void RefuseAsync(Delegate body, Type resultType, string parameterName, string member)
    {
        if (body.Method.IsDefined(typeof(AsyncStateMachineAttribute), inherit: false) || IsTaskLike(resultType))
        {
            throw new ArgumentException(
                $"{member} received an async delegate (or one that returns a task). SQLite work runs synchronously on its " +
                "connection: an async delegate would go on after its first await, outside the transaction and on a connection " +
                "another caller may then be using. Pass a synchronous delegate: do the asynchronous work before the call, " +
                "and await the task the call returns.",
                parameterName);
        }
    }

    private static bool IsTaskLike(Type type) =>
        typeof(Task).IsAssignableFrom(type) || type == typeof(ValueTask) ||
        (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>));
}
