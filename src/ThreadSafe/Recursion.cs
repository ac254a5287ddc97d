using System.Diagnostics.CodeAnalysis;

namespace ThreadSafe;

/// <summary>Builds the exception thrown when a primitive is called from inside one of its own delegates.</summary>
internal static class Recursion
{
    public static LockRecursionException Detected(object instance) =>
        new($"{instance} was called from inside one of its own delegates. Re-entering would either deadlock or run " +
            "the inner call against a half-updated value; finish the outer delegate first, or pass the data it needs as state.");

    /// <summary>Throws <see cref="Detected"/>; a call, so that a hot path that may throw stays small.</summary>
    [DoesNotReturn]
    public static void Throw(object instance) => throw Detected(instance);
}
