using System.Runtime.CompilerServices;

namespace ThreadSafe;

/// <summary>
/// Recognizes delegates written as <see langword="async"/> lambdas or methods. Bound to a synchronous overload
/// (an <see cref="Action{T}"/> becomes <see langword="async"/> <see langword="void"/>, a <see cref="Func{T, TResult}"/>
/// returns a task), such a delegate would keep running after the primitive believes it finished, so the
/// primitives refuse it with <see cref="Refused"/> and name the overload to use instead.
/// </summary>
internal static class AsyncDelegates
{
    /// <summary>
    /// Whether <paramref name="body"/> is an <see langword="async"/> lambda or method (its compiled method carries
    /// <see cref="AsyncStateMachineAttribute"/>). A non-async delegate that returns a stored task as data is not.
    /// This uses reflection: callers on a hot path check a delegate once and remember it (delegates of static
    /// lambdas are cached by the compiler, so a reference comparison with the last checked one is enough).
    /// </summary>
    public static bool IsAsync(Delegate body) =>
        body.Method.IsDefined(typeof(AsyncStateMachineAttribute), inherit: false);

    /// <summary>Whether values of <paramref name="type"/> are tasks (<see cref="Task"/>, <see cref="ValueTask"/> or their generic forms).</summary>
    public static bool IsTaskLike(Type type) =>
        typeof(Task).IsAssignableFrom(type) || type == typeof(ValueTask) ||
        (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>));

    /// <summary>The exception for an <see langword="async"/> delegate passed where only a synchronous one can keep the promise.</summary>
    /// <param name="parameterName">The parameter that received the delegate.</param>
    /// <param name="member">The member that was called, as a person would write it (<c>Guarded&lt;T&gt;.Write</c>).</param>
    /// <param name="useInstead">What to call instead.</param>
    public static ArgumentException Refused(string parameterName, string member, string useInstead) =>
        new($"{member} received an async delegate. It would run synchronously only up to its first await and go on " +
            $"after {member} returned, outside the guarantees of the call. Use {useInstead}.", parameterName);
}
