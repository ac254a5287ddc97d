namespace ThreadSafe.Testing.Histories;

/// <summary>The verdict of a linearizability check of a recorded history.</summary>
public enum LinearizabilityVerdict
{
    /// <summary>Some order of the calls that respects real time gives every call its recorded output on the model.</summary>
    Linearizable,

    /// <summary>No such order exists: the history shows a bug (in the object, or in the model).</summary>
    NotLinearizable,

    /// <summary>The time budget ran out or the check was cancelled before a verdict: nothing was decided.</summary>
    Unknown,
}
