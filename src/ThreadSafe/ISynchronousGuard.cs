namespace ThreadSafe;

/// <summary>
/// The members <see cref="Guarded{T}"/> and <see cref="ReadWriteGuarded{T}"/> have in common, so that the compiler keeps
/// the two surfaces alike and one adapter can drive either (the shared contract tests do).
/// </summary>
/// <typeparam name="T">The type of the guarded value.</typeparam>
/// <remarks>Each guard implements it with its own public members: a direct call on the guard is an ordinary call.</remarks>
internal interface ISynchronousGuard<T>
{
    /// <summary>Gets a value indicating whether the guard was created with a copy function.</summary>
    bool CanSnapshot { get; }

    /// <summary>Runs <paramref name="read"/> under the (read) lock and returns its result.</summary>
    TResult Read<TResult>(Func<T, TResult> read);

    /// <summary>Runs <paramref name="read"/> with caller state under the (read) lock and returns its result.</summary>
    TResult Read<TState, TResult>(TState state, Func<T, TState, TResult> read);

    /// <summary>Runs <paramref name="write"/> under the (write) lock.</summary>
    void Write(Action<T> write);

    /// <summary>Runs <paramref name="write"/> with caller state under the (write) lock.</summary>
    void Write<TState>(TState state, Action<T, TState> write);

    /// <summary>Runs <paramref name="write"/> under the (write) lock and returns its result.</summary>
    TResult Write<TResult>(Func<T, TResult> write);

    /// <summary>Runs <paramref name="write"/> with caller state under the (write) lock and returns its result.</summary>
    TResult Write<TState, TResult>(TState state, Func<T, TState, TResult> write);

    /// <summary>Replaces the value with the result of <paramref name="update"/> under the (write) lock.</summary>
    T Update(Func<T, T> update);

    /// <summary>Replaces the value with the result of <paramref name="update"/>, given caller state, under the (write) lock.</summary>
    T Update<TState>(TState state, Func<T, TState, T> update);

    /// <summary>Returns a copy of the value made by the copy function under the (read) lock.</summary>
    T Snapshot();
}
