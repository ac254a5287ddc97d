using ThreadSafe.Diagnostics;

namespace ThreadSafe;

/// <summary>
/// What every guard type keeps for diagnostics: a process-unique id, the optional name and lock class given at
/// construction, the default name, the lock-order node and the holder-tracking state (the last three made on first use),
/// and the guard's own metrics switch. A mutable struct held in a field of its guard and used only through that field.
/// </summary>
internal struct GuardedIdentity
{
    private readonly int _id;
    private readonly string? _name;
    private readonly string? _lockClass;

    // Made on first use; a benign race makes equal strings.
    private string? _defaultName;

    // Made on first tracked use; published by compare-and-swap (see LockOrderTracker.NodeFor and LockState.For).
    private LockOrderNode? _orderNode;
    private LockState? _state;

    // The guard's own metrics switch (RecordsMetrics); read on every acquisition, written with Volatile.Write.
    private bool _recordsMetrics;

    /// <summary>Validates and keeps the name and lock class given to a guard's constructor.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="lockClass"/> is empty or white space.</exception>
    public GuardedIdentity(string? name, string? lockClass)
    {
        _id = GuardedNames.NextId();
        _name = GuardedNames.Validate(name, nameof(name));
        _lockClass = GuardedNames.Validate(lockClass, nameof(lockClass));
    }

    /// <summary>Gets a value indicating whether the guard records metrics on its own; read on every acquisition.</summary>
    public readonly bool RecordsMetrics => _recordsMetrics;

    /// <summary>Gets the state, if the guard was ever tracked.</summary>
    public LockState? TrackedState => Volatile.Read(ref _state);

    /// <summary>Sets the guard's own metrics switch.</summary>
    public void SetRecordsMetrics(bool value) => Volatile.Write(ref _recordsMetrics, value);

    /// <summary>The guard's name: the one given at construction, or its type and id.</summary>
    public string Name(object guard) => _name ?? (_defaultName ??= GuardedNames.Default(guard, _id));

    /// <summary>The guard's lock-order node, made on first use.</summary>
    public LockOrderNode OrderNode(object guard) => LockOrderTracker.NodeFor(ref _orderNode, guard, Name(guard), _lockClass);

    /// <summary>The guard's tracking state, made and registered on first use.</summary>
    public LockState State(object guard) => LockState.For(ref _state, guard, Name(guard));

    /// <summary>A new entry for an acquisition if tracking or metrics apply to it; otherwise <see langword="null"/>.</summary>
    public readonly LockEntry? NewEntry(LockAccess access, bool isAsync)
    {
        int flags = GuardInstrumentation.Flags;
        bool metrics = _recordsMetrics || (flags & GuardInstrumentation.MetricsFlag) != 0;
        return metrics || (flags & GuardInstrumentation.TrackingFlag) != 0 ? new LockEntry(access, metrics, isAsync) : null;
    }
}
