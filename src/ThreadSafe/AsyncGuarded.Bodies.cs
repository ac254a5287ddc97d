namespace ThreadSafe;

// Synchronous delegate shapes as structs: the generic run path is specialized per shape by the JIT,
// so the state-passing overloads neither box nor allocate a closure.
public sealed partial class AsyncGuarded<T>
{
    private interface IBody<TResult>
    {
        TResult Invoke(ref T value);
    }

    private interface IVoidBody
    {
        void Invoke(ref T value);
    }

    private readonly struct FuncBody<TResult>(Func<T, TResult> func) : IBody<TResult>
    {
        public TResult Invoke(ref T value) => func(value);
    }

    private readonly struct StateFuncBody<TState, TResult>(Func<T, TState, TResult> func, TState state) : IBody<TResult>
    {
        public TResult Invoke(ref T value) => func(value, state);
    }

    private readonly struct UpdateBody(Func<T, T> update) : IBody<T>
    {
        // The value is replaced only when update returns: if it throws, the value is left unchanged.
        public T Invoke(ref T value) => value = update(value);
    }

    private readonly struct StateUpdateBody<TState>(Func<T, TState, T> update, TState state) : IBody<T>
    {
        public T Invoke(ref T value) => value = update(value, state);
    }

    private readonly struct ActionBody(Action<T> action) : IVoidBody
    {
        public void Invoke(ref T value) => action(value);
    }

    private readonly struct StateActionBody<TState>(Action<T, TState> action, TState state) : IVoidBody
    {
        public void Invoke(ref T value) => action(value, state);
    }

    // Rejects a task-typed result on the synchronous overloads: an async lambda bound there would run
    // its continuation after the lock is released. The flag is computed once per TResult.
    private static class NotAwaitable<TResult>
    {
        private static readonly bool IsTask =
            typeof(Task).IsAssignableFrom(typeof(TResult)) ||
            typeof(TResult) == typeof(ValueTask) ||
            (typeof(TResult).IsGenericType && typeof(TResult).GetGenericTypeDefinition() == typeof(ValueTask<>));

        public static void Check(string paramName)
        {
            if (IsTask)
            {
                throw new ArgumentException(
                    $"The delegate returns {typeof(TResult).Name}: an async lambda bound to the synchronous overload would keep running " +
                    "after the lock is released. Use the asynchronous overload instead: async (value, cancellationToken) => { ... }.",
                    paramName);
            }
        }
    }
}
