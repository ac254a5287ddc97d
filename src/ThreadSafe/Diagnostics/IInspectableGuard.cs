namespace ThreadSafe.Diagnostics;

/// <summary>A guard whose lock diagnostics can tell who holds it: implemented by every guard type.</summary>
internal interface IInspectableGuard
{
    /// <summary>What is known of the guard now (see <see cref="LockInfo"/>).</summary>
    LockInfo GetLockInfo();
}
