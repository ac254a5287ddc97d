namespace ThreadSafe.Sqlite;

/// <summary>
/// How hard SQLite pushes a commit to the disk (<c>PRAGMA synchronous</c>) in WAL mode, which decides what an
/// acknowledged write survives.
/// </summary>
public enum SqliteSynchronousMode
{
    /// <summary>
    /// <c>synchronous=NORMAL</c>: a commit appends to the WAL file without waiting for the disk; the WAL is synced only at
    /// checkpoints. An acknowledged write survives a crash or kill of the process (the operating system still has it), but
    /// the most recent acknowledged writes can be lost if the operating system crashes or the machine loses power. The
    /// database is never corrupted. Faster: no fsync per commit.
    /// </summary>
    Normal = 1,

    /// <summary>
    /// <c>synchronous=FULL</c> (the default): every commit waits until the WAL is synced to the disk before the write is
    /// acknowledged. An acknowledged write survives a process crash, an operating-system crash and a power loss (as far as
    /// the disk honours fsync). One fsync per batch: group commit is what makes it fast.
    /// </summary>
    Full = 2,
}
