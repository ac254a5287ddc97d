namespace ThreadSafe.Tests;

/// <summary>
/// An in-memory stand-in for a transactional database: writes append to a pending list, savepoints mark positions in
/// it, commit publishes it. It checks that it is used by one thread at a time and records every hook call.
/// </summary>
internal sealed class FakeDb : IDisposable
{
    // Guards every field below: the writer thread mutates while test threads read.
    private readonly object _gate = new();
    private readonly List<(int Submitter, int Seq)> _committed = [];
    private readonly List<(int Submitter, int Seq)> _pending = [];
    private readonly Stack<int> _savepoints = new();
    private readonly List<string> _log = [];
    private int _active;
    private bool _inTransaction;

    public int Batches { get; private set; }

    public bool Disposed { get; private set; }

    public string? DisposedOnThread { get; private set; }

    /// <summary>Set to make the next Commit throw.</summary>
    public Exception? FailNextCommit { get; set; }

    public int MaxConcurrentUsers { get; private set; }

    /// <summary>Options whose hooks drive the fake transaction; the optional actions run after BEGIN, before SAVEPOINT and after COMMIT.</summary>
    public static SingleWriterOptions<FakeDb> Transactional(
        int maxBatchSize,
        string? name = null,
        int capacity = 1024,
        Action<Exception>? onError = null,
        Action<FakeDb>? afterBegin = null,
        Action<FakeDb>? beforeWrite = null,
        Action<FakeDb>? afterCommit = null,
        TimeSpan maxCommitDelay = default) => new()
        {
            Name = name,
            MaxBatchSize = maxBatchSize,
            Capacity = capacity,
            OnError = onError,
            MaxCommitDelay = maxCommitDelay,
            BeginBatch = db =>
            {
                db.Begin();
                afterBegin?.Invoke(db);
            },
            BeginWrite = db =>
            {
                beforeWrite?.Invoke(db);
                db.Savepoint();
            },
            EndWrite = db => db.Release(),
            RollbackWrite = db => db.RollbackToSavepoint(),
            CommitBatch = db =>
            {
                db.Commit();
                afterCommit?.Invoke(db);
            },
            RollbackBatch = db => db.Rollback(),
        };

    public void Insert(int submitter, int seq) => Use(() =>
    {
        if (_inTransaction)
        {
            _pending.Add((submitter, seq));
        }
        else
        {
            _committed.Add((submitter, seq)); // autocommit
        }
    });

    public void Begin() => Use(() =>
    {
        Assert.False(_inTransaction, "BEGIN inside a transaction");
        _inTransaction = true;
        Batches++;
        _log.Add("BEGIN");
    });

    public void Savepoint() => Use(() =>
    {
        _savepoints.Push(_pending.Count);
        _log.Add("SAVEPOINT");
    });

    public void Release() => Use(() =>
    {
        _savepoints.Pop();
        _log.Add("RELEASE");
    });

    public void RollbackToSavepoint() => Use(() =>
    {
        int mark = _savepoints.Pop();
        _pending.RemoveRange(mark, _pending.Count - mark);
        _log.Add("ROLLBACK TO");
    });

    public void Commit() => Use(() =>
    {
        if (FailNextCommit is { } error)
        {
            FailNextCommit = null;
            throw error;
        }

        _committed.AddRange(_pending);
        _pending.Clear();
        _inTransaction = false;
        _log.Add("COMMIT");
    });

    public void Rollback() => Use(() =>
    {
        _pending.Clear();
        _savepoints.Clear();
        _inTransaction = false;
        _log.Add("ROLLBACK");
    });

    public bool IsCommitted(int submitter, int seq)
    {
        lock (_gate)
        {
            return _committed.Contains((submitter, seq));
        }
    }

    public List<(int Submitter, int Seq)> Committed()
    {
        lock (_gate)
        {
            return [.. _committed];
        }
    }

    public List<string> Log()
    {
        lock (_gate)
        {
            return [.. _log];
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            Disposed = true;
            DisposedOnThread = Thread.CurrentThread.Name;
        }
    }

    // Runs body under the lock, counting concurrent users: a second user at once would be a single-writer violation.
    private void Use(Action body)
    {
        int active = Interlocked.Increment(ref _active);
        try
        {
            lock (_gate)
            {
                MaxConcurrentUsers = Math.Max(MaxConcurrentUsers, active);
                Assert.False(Disposed, "used after Dispose");
                body();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }
}
