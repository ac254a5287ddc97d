using System.Collections.Concurrent;
using System.Reflection;
using FsCheck;
using FsCheck.Fluent;

namespace ThreadSafe.Testing;

/// <summary>
/// The definition of a linearizability check: how to create the object under test, how to create its
/// sequential model, and its operations. One definition drives every mode: <see cref="Check(LinearizabilityOptions?)"/>
/// (stress on real threads), <see cref="CheckSystematic(LinearizabilityOptions?)"/> (Coyote's controlled
/// scheduler), and <see cref="Property"/> (an FsCheck property).
/// </summary>
/// <typeparam name="TSut">The type of the concurrent object under test.</typeparam>
/// <typeparam name="TModel">
/// The type of the sequential model: a value (immutable, or never mutated by the model functions) with
/// value equality, e.g. an <see cref="int"/>, a record or an immutable collection with a comparer. It need not be thread-safe.
/// </typeparam>
/// <example>
/// <code>
/// new LinearizabilitySpec&lt;MyCounter, int&gt;(() =&gt; new MyCounter(), () =&gt; 0)
///     .Operation("Inc", c =&gt; c.Increment(), m =&gt; (m + 1, m + 1))
///     .Operation("Get", c =&gt; c.Value, m =&gt; (m, m))
///     .Check();
/// </code>
/// </example>
public sealed partial class LinearizabilitySpec<TSut, TModel>
{
    private readonly Func<TSut> _createObject;
    private readonly Func<TModel> _createModel;
    private readonly IEqualityComparer<TModel> _modelEquality;
    private readonly List<OperationDefinition<TSut, TModel>> _operations = [];
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, Func<object?, object?, bool>> _resultEquality = [];

    // Assemblies whose code runs in a scenario: systematic mode requires them to be rewritten.
    private readonly HashSet<Assembly> _userAssemblies = [];

    // Runtime types of objects under test already checked for rewriting in systematic mode.
    private readonly ConcurrentDictionary<Type, byte> _checkedRuntimeTypes = new();

    // The runtime type of the last object created in systematic mode (a plain write: no Coyote scheduling point).
    private Type? _systematicObjectType;

    /// <summary>Creates a specification.</summary>
    /// <param name="createObject">Creates a fresh object under test; called once per run. An object that is <see cref="IAsyncDisposable"/> (or else <see cref="IDisposable"/>) is disposed after the run's last call, so objects that own threads or tasks stop them.</param>
    /// <param name="createModel">Creates the model's initial state; called once per history checked.</param>
    /// <param name="modelEquality">Compares model states (for the search's cache); <see langword="null"/> for <see cref="EqualityComparer{T}.Default"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="createObject"/> or <paramref name="createModel"/> is <see langword="null"/>.</exception>
    public LinearizabilitySpec(Func<TSut> createObject, Func<TModel> createModel, IEqualityComparer<TModel>? modelEquality = null)
    {
        ArgumentNullException.ThrowIfNull(createObject);
        ArgumentNullException.ThrowIfNull(createModel);
        _createObject = createObject;
        _createModel = createModel;
        _modelEquality = modelEquality ?? EqualityComparer<TModel>.Default;
        Remember(createObject);
        Remember(typeof(TSut));
    }

    /// <summary>Gets the names of the registered operations, in registration order.</summary>
    public IReadOnlyList<string> OperationNames => _operations.ConvertAll(o => o.Name);

    /// <summary>Gets the registered operations (for the checker's tests and benchmarks).</summary>
    internal List<OperationDefinition<TSut, TModel>> Operations => _operations;

    /// <summary>Registers an operation with an argument and a result.</summary>
    /// <typeparam name="TArg">The argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="name">The operation's name, shown in failure tables; unique within the specification.</param>
    /// <param name="arguments">Generates arguments (e.g. <c>Gen.Choose(0, 3)</c>); small ranges find bugs sooner.</param>
    /// <param name="run">Runs the operation on the real object.</param>
    /// <param name="model">Runs it on the model: the expected result and the next state. Throw to say the call cannot complete in that state (e.g. a blocking take on an empty model).</param>
    /// <returns>This specification, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public LinearizabilitySpec<TSut, TModel> Operation<TArg, TResult>(
        string name,
        Gen<TArg> arguments,
        Func<TSut, TArg, TResult> run,
        Func<TModel, TArg, (TResult Result, TModel Next)> model)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(model);
        Remember(run);
        return Add(new OperationDefinition<TSut, TModel>(
            name,
            hasArgument: true,
            isCommand: false,
            arguments.Select(a => (object?)a),
            (s, a) => run(s, (TArg)a!),
            (m, a) =>
            {
                (TResult r, TModel next) = model(m, (TArg)a!);
                return (r, next);
            },
            Equality<TResult>()));
    }

    /// <summary>Registers an operation without an argument that returns a result.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="name">The operation's name, shown in failure tables; unique within the specification.</param>
    /// <param name="run">Runs the operation on the real object.</param>
    /// <param name="model">Runs it on the model: the expected result and the next state. Throw to say the call cannot complete in that state.</param>
    /// <returns>This specification, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public LinearizabilitySpec<TSut, TModel> Operation<TResult>(
        string name,
        Func<TSut, TResult> run,
        Func<TModel, (TResult Result, TModel Next)> model)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(model);
        Remember(run);
        return Add(new OperationDefinition<TSut, TModel>(
            name,
            hasArgument: false,
            isCommand: false,
            Gen.Constant((object?)null),
            (s, _) => run(s),
            (m, _) =>
            {
                (TResult r, TModel next) = model(m);
                return (r, next);
            },
            Equality<TResult>()));
    }

    /// <summary>Registers an operation with an argument and no result (only its effect on later results is checked).</summary>
    /// <typeparam name="TArg">The argument type.</typeparam>
    /// <param name="name">The operation's name, shown in failure tables; unique within the specification.</param>
    /// <param name="arguments">Generates arguments.</param>
    /// <param name="run">Runs the operation on the real object.</param>
    /// <param name="model">Computes the model's next state. Throw to say the call cannot complete in that state.</param>
    /// <returns>This specification, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public LinearizabilitySpec<TSut, TModel> Command<TArg>(string name, Gen<TArg> arguments, Action<TSut, TArg> run, Func<TModel, TArg, TModel> model)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(model);
        Remember(run);
        return Add(new OperationDefinition<TSut, TModel>(
            name,
            hasArgument: true,
            isCommand: true,
            arguments.Select(a => (object?)a),
            (s, a) =>
            {
                run(s, (TArg)a!);
                return null;
            },
            (m, a) => (null, model(m, (TArg)a!)),
            ValueText.DefaultEquals));
    }

    /// <summary>Registers an operation without an argument and without a result.</summary>
    /// <param name="name">The operation's name, shown in failure tables; unique within the specification.</param>
    /// <param name="run">Runs the operation on the real object.</param>
    /// <param name="model">Computes the model's next state. Throw to say the call cannot complete in that state.</param>
    /// <returns>This specification, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    public LinearizabilitySpec<TSut, TModel> Command(string name, Action<TSut> run, Func<TModel, TModel> model)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(model);
        Remember(run);
        return Add(new OperationDefinition<TSut, TModel>(
            name,
            hasArgument: false,
            isCommand: true,
            Gen.Constant((object?)null),
            (s, _) =>
            {
                run(s);
                return null;
            },
            (m, _) => (null, model(m)),
            ValueText.DefaultEquals));
    }

    /// <summary>Sets how results of type <typeparamref name="TResult"/> are compared, for every operation returning that type.</summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="comparer">The comparer. Without one, results are compared with default equality (element by element for sequences).</param>
    /// <returns>This specification, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="comparer"/> is <see langword="null"/>.</exception>
    public LinearizabilitySpec<TSut, TModel> ResultEquality<TResult>(IEqualityComparer<TResult> comparer)
    {
        ArgumentNullException.ThrowIfNull(comparer);
        _resultEquality[typeof(TResult)] = (expected, actual) =>
            actual is TResult a && expected is TResult e ? comparer.Equals(e, a) : expected is null && actual is null;
        return this;
    }

    // The comparer is looked up when results are compared, so ResultEquality may be called after Operation.
    private Func<object?, object?, bool> Equality<TResult>() =>
        (expected, actual) => _resultEquality.TryGetValue(typeof(TResult), out Func<object?, object?, bool>? equal)
            ? equal(expected, actual)
            : ValueText.DefaultEquals(expected, actual);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2208:Instantiate argument exceptions correctly", Justification = "Reported as the 'name' argument of the public method that registered the operation.")]
    private LinearizabilitySpec<TSut, TModel> Add(OperationDefinition<TSut, TModel> operation)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation.Name, "name");
        if (!_byName.TryAdd(operation.Name, _operations.Count))
        {
            throw new ArgumentException($"An operation named '{operation.Name}' is already registered.", "name");
        }

        _operations.Add(operation);
        return this;
    }

    private void Remember(Delegate code)
    {
        if (code.Method.DeclaringType is Type type)
        {
            Remember(type);
        }

        if (code.Target is not null)
        {
            Remember(code.Target.GetType());
        }
    }

    private void Remember(Type type)
    {
        _userAssemblies.Add(type.Assembly);
        if (type.IsGenericType)
        {
            foreach (Type argument in type.GetGenericArguments())
            {
                Remember(argument);
            }
        }
    }
}
