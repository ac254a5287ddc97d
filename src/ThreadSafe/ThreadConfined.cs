using System.Diagnostics;

namespace ThreadSafe;

/// <summary>
/// A value that only its owner thread may touch: any other thread that reads or writes <see cref="Value"/>
/// gets an <see cref="InvalidOperationException"/> naming both threads, instead of silently sharing
/// per-request or per-user state across threads.
/// </summary>
/// <typeparam name="T">The type of the confined value.</typeparam>
/// <remarks>
/// <para>
/// The creating thread owns the value. A legitimate transfer is explicit: the owner calls
/// <see cref="HandOffTo(Thread)"/>, or calls <see cref="Release"/> and the receiving thread calls
/// <see cref="Claim"/> (or <see cref="TryClaim"/>). While released, nobody may touch the value. A value whose owner
/// thread has ended without releasing it can be claimed the same way, so it is never lost.
/// </para>
/// <para>
/// Ownership is tied to a <see cref="Thread"/>, not to an asynchronous flow: after an
/// <see langword="await"/> the code may resume on another thread, which is then rejected. Confine values
/// to code that stays on one thread (a dedicated thread, a UI thread, a single-threaded loop).
/// </para>
/// <para>
/// Memory ordering: the owner is a single reference changed only with
/// <see cref="Interlocked.CompareExchange{T}(ref T, T, T)"/> (a full fence) and read with
/// <see cref="Volatile.Read{T}(ref readonly T)"/> (an acquire). The previous owner's writes to the value
/// precede its fenced hand-off or release; the new owner's accesses follow its acquire read (or its
/// fenced claim) that observed itself as owner. So every hand-off publishes the value: the new owner
/// sees everything the previous owner wrote.
/// </para>
/// </remarks>
[DebuggerDisplay("ThreadConfined<{typeof(T).Name,nq}>")]
public sealed class ThreadConfined<T>
{
    // The owning thread, or null while released. Changed only by Interlocked.CompareExchange: by the
    // owner (Release, HandOffTo) or, while null or an ended thread, by a claimant (Claim). A thread object, not an id,
    // so a recycled managed thread id can never inherit ownership.
    private Thread? _owner;

    // Confined to _owner: read and written only after the calling thread has seen itself as _owner.
    private T _value;

    /// <summary>Creates a confined value owned by the calling thread.</summary>
    /// <param name="value">The initial value. Do not keep another reference to it on other threads.</param>
    public ThreadConfined(T value)
    {
        _value = value;
        _owner = Thread.CurrentThread;
    }

    /// <summary>Gets or sets the value; only the owner thread may do either.</summary>
    /// <exception cref="InvalidOperationException">
    /// The calling thread is not the owner (the message names the owner and the calling thread), or the value is released.
    /// </exception>
    public T Value
    {
        get
        {
            ThrowIfNotOwner("read the value");
            return _value;
        }

        set
        {
            ThrowIfNotOwner("write the value");
            _value = value;
        }
    }

    /// <summary>Gets a value indicating whether the calling thread owns the value.</summary>
    public bool IsOwnedByCurrentThread => ReferenceEquals(Volatile.Read(ref _owner), Thread.CurrentThread);

    /// <summary>Gets a value indicating whether the value is released: no thread owns it until one calls <see cref="Claim"/>.</summary>
    public bool IsReleased => Volatile.Read(ref _owner) is null;

    /// <summary>Gets the managed thread id of the owner, or <see langword="null"/> while the value is released.</summary>
    public int? OwnerThreadId => Volatile.Read(ref _owner)?.ManagedThreadId;

    /// <summary>Gives up ownership: until a thread calls <see cref="Claim"/>, no thread may touch the value.</summary>
    /// <exception cref="InvalidOperationException">The calling thread is not the owner.</exception>
    public void Release()
    {
        Thread me = Thread.CurrentThread;
        Thread? previous = Interlocked.CompareExchange(ref _owner, null, me);
        if (!ReferenceEquals(previous, me))
        {
            throw NotOwner(previous, me, "release the value");
        }
    }

    /// <summary>Takes ownership of a released value, or of a value whose owner thread has ended, for the calling thread.</summary>
    /// <exception cref="InvalidOperationException">The value is not released: a live thread (possibly the calling one) owns it.</exception>
    /// <remarks>
    /// A value whose owner thread ended without releasing it can no longer be touched by its owner, so it is claimable as
    /// if released. The new owner sees everything the ended thread wrote: its end is observed through
    /// <see cref="Thread.Join(int)"/>, which orders the ended thread's writes before the claim.
    /// </remarks>
    public void Claim()
    {
        Thread me = Thread.CurrentThread;
        Thread? previous = ClaimFromReleasedOrEnded(me);
        if (previous is not null)
        {
            throw new InvalidOperationException(
                $"{this} cannot be claimed by thread {Describe(me)}: it is owned by thread {Describe(previous)}" +
                (ReferenceEquals(previous, me) ? " (the calling thread itself)" : string.Empty) +
                ". Only a released value can be claimed; the owner must call Release() or HandOffTo(thread) first.");
        }
    }

    /// <summary>Takes ownership of a released value, or of a value whose owner thread has ended, for the calling thread.</summary>
    /// <returns><see langword="true"/> if the calling thread claimed the value; <see langword="false"/> if a live thread (possibly the calling one) owns it.</returns>
    /// <remarks>When several threads race to claim a released value (or one whose owner ended), exactly one succeeds.</remarks>
    public bool TryClaim() => ClaimFromReleasedOrEnded(Thread.CurrentThread) is null;

    /// <summary>Transfers ownership directly from the calling (owner) thread to <paramref name="thread"/>.</summary>
    /// <param name="thread">The new owner. It may be the calling thread (no change) or a thread not started yet.</param>
    /// <exception cref="ArgumentNullException"><paramref name="thread"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The calling thread is not the owner.</exception>
    public void HandOffTo(Thread thread)
    {
        ArgumentNullException.ThrowIfNull(thread);
        Thread me = Thread.CurrentThread;
        Thread? previous = Interlocked.CompareExchange(ref _owner, thread, me);
        if (!ReferenceEquals(previous, me))
        {
            throw NotOwner(previous, me, $"hand the value off to thread {Describe(thread)}");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"ThreadConfined<{TypeNames.Format(typeof(T))}>";

    // Claims for me if the value is released or its owner has ended. Returns null on success, otherwise the live owner.
    // Each attempt is a compare-exchange against the owner just read, so of several racing claimants exactly one wins.
    private Thread? ClaimFromReleasedOrEnded(Thread me)
    {
        Thread? owner = Volatile.Read(ref _owner);
        while (true)
        {
            if (owner is not null && !HasEnded(owner))
            {
                return owner;
            }

            Thread? seen = Interlocked.CompareExchange(ref _owner, me, owner);
            if (ReferenceEquals(seen, owner))
            {
                return null;
            }

            owner = seen;
        }
    }

    // A thread that was started and has finished. Not an unstarted thread (HandOffTo accepts one). Join on a finished
    // thread returns at once and orders everything it wrote before the caller's next reads.
    private static bool HasEnded(Thread thread) =>
        (thread.ThreadState & System.Threading.ThreadState.Stopped) != 0 && thread.Join(0);

    private void ThrowIfNotOwner(string action)
    {
        Thread me = Thread.CurrentThread;
        Thread? owner = Volatile.Read(ref _owner);
        if (!ReferenceEquals(owner, me))
        {
            throw NotOwner(owner, me, action);
        }
    }

    private InvalidOperationException NotOwner(Thread? owner, Thread caller, string action) =>
        owner is null
            ? new InvalidOperationException(
                $"Thread {Describe(caller)} cannot {action} of {this}: the value is released and has no owner thread. " +
                "Call Claim() on the thread that should own it first.")
            : HasEnded(owner)
            ? new InvalidOperationException(
                $"Thread {Describe(caller)} cannot {action} of {this}: its owner thread {Describe(owner)} has ended without releasing it. " +
                "Call Claim() (or TryClaim()) to take it over on this thread first.")
            : new InvalidOperationException(
                $"Thread {Describe(caller)} cannot {action} of {this}: it is confined to owner thread {Describe(owner)}. " +
                "Sharing it across threads is the bug this type prevents; transfer it explicitly with HandOffTo(thread), or Release() then Claim().");

    private static string Describe(Thread thread) =>
        thread.Name is { Length: > 0 } name ? $"{thread.ManagedThreadId} ('{name}')" : $"{thread.ManagedThreadId} (unnamed)";
}
