using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ThreadSafe;

/// <summary>
/// Refuses <see langword="async"/> delegates on a guard's synchronous overloads, cheaply enough for every call: an async
/// delegate would run only up to its first await under the lock and touch the value after the lock is released.
/// </summary>
/// <remarks>
/// <para>
/// Recognizing an async delegate takes reflection (<see cref="AsyncDelegates.IsAsync"/>), far too slow for every call,
/// so the verdict is remembered, per guard, in two ways that cover the common shapes:
/// the last delegate found synchronous (a static lambda is one cached delegate, so the check is one reference
/// comparison), and the last closure class found to contain no async method at all (a lambda that captures
/// locals gets a new delegate per call, but always over an instance of the same compiler-generated class).
/// A lambda that captures only <c>this</c> is a new delegate per call with the same target and method, which
/// <see cref="Delegate.Equals(object)"/> recognizes without reflection.
/// </para>
/// <para>
/// Thread-safety: the two fields are a cache, read and written without a lock. Each is written only with a value that
/// was verified (a synchronous delegate; a closure class without async methods), and references are written
/// atomically, so a reader sees null, an old verified value or a new verified one: at worst it checks again.
/// </para>
/// </remarks>
internal struct GuardedDelegateCheck
{
    // The last delegate found synchronous (see the remarks on why no lock is needed).
    private Delegate? _lastSync;

    // The last compiler-generated closure class found to declare no async method.
    private Type? _syncClosureClass;

    /// <summary>Throws <see cref="AsyncDelegates.Refused"/> if <paramref name="body"/> is an async delegate.</summary>
    /// <param name="body">The user's delegate.</param>
    /// <param name="guard">The guard, for the message.</param>
    /// <param name="member">The member that was called (<c>Write</c>).</param>
    /// <param name="parameterName">The parameter that received the delegate.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ThrowIfAsync(Delegate body, object guard, string member, string parameterName)
    {
        if (!ReferenceEquals(body, _lastSync))
        {
            CheckSlow(body, guard, member, parameterName);
        }
    }

    private void CheckSlow(Delegate body, object guard, string member, string parameterName)
    {
        Delegate? last = _lastSync;
        if (last is not null && body.Equals(last))
        {
            return;
        }

        Type? closureClass = body.Target?.GetType();
        if (closureClass is not null && ReferenceEquals(closureClass, _syncClosureClass))
        {
            return;
        }

        if (AsyncDelegates.IsAsync(body))
        {
            Type guardType = guard.GetType();
            string useInstead = guardType.IsGenericType && guardType.GetGenericTypeDefinition() == typeof(AsyncGuarded<>)
                ? GuardedMessages.UseAsyncOverload
                : GuardedMessages.UseAsyncGuarded(guardType.GetGenericArguments()[0], member);
            throw AsyncDelegates.Refused(parameterName, $"{TypeNames.Format(guardType)}.{member}", useInstead);
        }

        _lastSync = body;
        if (closureClass is not null && IsClosureClassWithoutAsyncMethods(closureClass))
        {
            _syncClosureClass = closureClass;
        }
    }

    // A compiler-generated class (a lambda's closure) derives from object and cannot be the target of an extension
    // method a user wrote, so every delegate over an instance of it runs one of its own methods: if none is async,
    // no such delegate is.
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification =
        "Trimming keeps every method a delegate can point to (a delegate's creation references its method); a method it " +
        "removes can never be the target of the delegate being checked, so missing it cannot hide an async delegate.")]
    private static bool IsClosureClassWithoutAsyncMethods(Type type)
    {
        if (!type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) || type.BaseType != typeof(object))
        {
            return false;
        }

        const System.Reflection.BindingFlags All = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static |
            System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly;
        foreach (System.Reflection.MethodInfo method in type.GetMethods(All))
        {
            if (method.IsDefined(typeof(AsyncStateMachineAttribute), inherit: false))
            {
                return false;
            }
        }

        return true;
    }
}
