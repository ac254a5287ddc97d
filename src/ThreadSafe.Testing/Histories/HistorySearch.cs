using System.Diagnostics;
using System.Numerics;

namespace ThreadSafe.Testing.Histories;

/// <summary>
/// The search behind every linearizability check: Wing and Gong's, with Lowe's memoization (as in
/// Porcupine), iterative and for histories of any length.
/// </summary>
/// <remarks>
/// <para>
/// Calls and returns are laid out in one doubly linked list in time order (at equal times a call comes
/// before a return, so the two calls overlap). The calls before the list's first return are exactly the
/// calls that may come next: every call that returned before they were called is already placed. The
/// search places one (the model must accept it), removes its call and return from the list and starts
/// again at the head; when it meets a return first, the call of that return cannot be placed in the
/// current order, so it backtracks: it takes the last placed call off an explicit stack and puts its
/// entries back where they were (dancing links), then tries the next candidate. No recursion: the
/// depth of a history does not touch the thread's stack.
/// </para>
/// <para>
/// The cache holds every (set of placed calls, model state) pair the search has entered; entering one
/// again cannot succeed where the first visit failed, so it is skipped. The set is a bitset of any width;
/// its hash is kept incrementally (an XOR of one random word per call), so a step costs the model's step,
/// one state hash and one table probe.
/// </para>
/// <para>
/// A call that never returned has no return entry: nothing has to wait for it, and it need not be placed
/// at all (it may never have taken effect). The search succeeds once every call that returned is placed,
/// and it never places such a call where it leaves the state unchanged (e.g. a read whose result is unknown).
/// </para>
/// </remarks>
/// <typeparam name="TState">The model's state.</typeparam>
internal sealed class HistorySearch<TState>
{
    private const int End = -1;
    private const int StopCheckInterval = 1024;

    private readonly int _count;
    private readonly Func<TState, int, (bool Ok, TState Next)> _step;
    private readonly IEqualityComparer<TState> _stateEquality;
    private readonly bool _hashStates;

    // The event list: nodes 0..events-1 in time order, then the head sentinel.
    private readonly int[] _next;
    private readonly int[] _prev;
    private readonly int[] _nodeCall;      // the call a node belongs to
    private readonly bool[] _nodeIsCall;
    private readonly int[] _callNode;      // call -> its call node
    private readonly int[] _returnNode;    // call -> its return node, or End if it never returned
    private readonly int _head;
    private readonly int _returned;        // how many calls returned (must all be placed)
    private readonly ulong[] _zobrist;

    /// <summary>Creates a search over <paramref name="count"/> calls.</summary>
    /// <param name="count">The number of calls.</param>
    /// <param name="call">Each call's invocation time.</param>
    /// <param name="returnTime">Each call's return time, or <see langword="null"/> if it never returned.</param>
    /// <param name="step">Runs call <c>i</c> on a state: whether the model accepts it (with its recorded result) and the next state.</param>
    /// <param name="stateEquality">Compares states for the cache.</param>
    /// <param name="hashStates">Whether <paramref name="stateEquality"/>'s hash codes are meaningful (otherwise only the set of placed calls is hashed).</param>
    public HistorySearch(
        int count,
        Func<int, long> call,
        Func<int, long?> returnTime,
        Func<TState, int, (bool Ok, TState Next)> step,
        IEqualityComparer<TState> stateEquality,
        bool hashStates)
    {
        _count = count;
        _step = step;
        _stateEquality = stateEquality;
        _hashStates = hashStates;
        _callNode = new int[count];
        _returnNode = new int[count];
        _zobrist = new ulong[count];

        var events = new List<(long Time, int Kind, int Call)>(2 * count);
        for (int i = 0; i < count; i++)
        {
            events.Add((call(i), 0, i));
            if (returnTime(i) is long r)
            {
                events.Add((r, 1, i));
                _returned++;
            }

            _returnNode[i] = End;
            _zobrist[i] = Mix((ulong)i + 0x9E3779B97F4A7C15UL);
        }

        // Time order; at equal times calls first (the calls overlap); then by call, so the order is deterministic.
        events.Sort();
        int nodes = events.Count;
        _head = nodes;
        _next = new int[nodes + 1];
        _prev = new int[nodes + 1];
        _nodeCall = new int[nodes];
        _nodeIsCall = new bool[nodes];
        for (int k = 0; k < nodes; k++)
        {
            (_, int kind, int c) = events[k];
            _nodeCall[k] = c;
            _nodeIsCall[k] = kind == 0;
            if (kind == 0)
            {
                _callNode[c] = k;
            }
            else
            {
                _returnNode[c] = k;
            }

            _next[k] = k + 1 < nodes ? k + 1 : End;
            _prev[k] = k == 0 ? _head : k - 1;
        }

        _next[_head] = nodes > 0 ? 0 : End;
        _prev[_head] = End;
    }

    /// <summary>Runs the search from <paramref name="initial"/>.</summary>
    /// <param name="initial">The model's initial state.</param>
    /// <param name="stop">Stops the search early (then the outcome is <see cref="SearchVerdict.Stopped"/>); <see langword="null"/> to run to the end.</param>
    /// <returns>The verdict, and the longest order found (the whole order when linearizable).</returns>
    public SearchOutcome<TState> Run(TState initial, StopSignal? stop)
    {
        int words = Math.Max(1, (_count + 63) / 64);
        var placed = new ulong[words];
        ulong placedHash = 0;
        // At least one entry per placed call: start near that (small parts of a partitioned history stay small).
        var cache = new StateCache(words, _stateEquality, (int)Math.Min(1024, BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, 2 * _count))));

        var stackCall = new int[_count];
        var stackState = new TState[_count]; // the state before each placed call
        int depth = 0;

        // The longest order seen: best[0..bestDepth) are calls, bestState[k] the state after bestCall[k].
        // The copy shares its first bestValid entries with the stack, so it costs no more than the pushes.
        var bestCall = new int[_count];
        var bestState = new TState[_count];
        int bestDepth = 0;
        int bestValid = 0;
        int stuck = -1;
        int stuckDepth = -1;

        int remaining = _returned;
        TState state = initial;
        int entry = _next[_head];
        long steps = 0;
        while (remaining > 0)
        {
            if (stop is not null && (++steps % StopCheckInterval) == 0 && stop.ShouldStop())
            {
                return Outcome(SearchVerdict.Stopped);
            }

            Debug.Assert(entry != End, "A call that returned and is not placed keeps a return entry in the list.");
            if (_nodeIsCall[entry])
            {
                int c = _nodeCall[entry];
                (bool ok, TState next) = _step(state, c);

                // A call that never returned need not be placed; placed without changing the state it only
                // shrinks the choices that follow, so that branch is skipped.
                if (ok && (_returnNode[c] != End || !_stateEquality.Equals(next, state)))
                {
                    placed[c >> 6] |= 1UL << (c & 63);
                    ulong hash = placedHash ^ _zobrist[c];
                    ulong key = _hashStates ? hash ^ (Mix((ulong)(uint)HashOf(next)) * 0x9E3779B97F4A7C15UL) : hash;
                    if (cache.Add(placed, key, next))
                    {
                        stackCall[depth] = c;
                        stackState[depth] = state;
                        depth++;
                        state = next;
                        placedHash = hash;
                        Lift(entry);
                        if (_returnNode[c] != End)
                        {
                            remaining--;
                        }

                        if (depth > bestDepth)
                        {
                            for (int k = bestValid; k < depth - 1; k++)
                            {
                                bestCall[k] = stackCall[k];
                                bestState[k] = stackState[k + 1];
                            }

                            bestCall[depth - 1] = c;
                            bestState[depth - 1] = state;
                            bestDepth = depth;
                            bestValid = depth;
                        }

                        entry = _next[_head];
                        continue;
                    }

                    placed[c >> 6] &= ~(1UL << (c & 63));
                }

                entry = _next[entry];
            }
            else
            {
                // The call of this return cannot be placed next: undo the last placement.
                if (depth == bestDepth && stuckDepth != bestDepth)
                {
                    stuck = _nodeCall[entry];
                    stuckDepth = bestDepth;
                }

                if (depth == 0)
                {
                    return Outcome(SearchVerdict.NotLinearizable);
                }

                depth--;
                int c = stackCall[depth];
                state = stackState[depth];
                stackState[depth] = default!;
                placed[c >> 6] &= ~(1UL << (c & 63));
                placedHash ^= _zobrist[c];
                bestValid = Math.Min(bestValid, depth);
                Unlift(_callNode[c]);
                if (_returnNode[c] != End)
                {
                    remaining++;
                }

                entry = _next[_callNode[c]];
            }
        }

        // Linearizable: the stack is the order.
        var order = new int[depth];
        var states = new TState[depth];
        for (int k = 0; k < depth; k++)
        {
            order[k] = stackCall[k];
            states[k] = k + 1 < depth ? stackState[k + 1] : state;
        }

        return new SearchOutcome<TState>(SearchVerdict.Linearizable, order, states, -1, cache.Count);

        SearchOutcome<TState> Outcome(SearchVerdict verdict) =>
            new(verdict, bestCall.AsSpan(0, bestDepth).ToArray(), bestState.AsSpan(0, bestDepth).ToArray(), stuck, cache.Count);
    }

    private static ulong Mix(ulong x)
    {
        // SplitMix64's finalizer: spreads every input bit over the word.
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    private int HashOf(TState state) => state is null ? 0 : _stateEquality.GetHashCode(state);

    // Removes a call's node and its return node (if any); Unlift puts them back in the reverse order.
    private void Lift(int callNode)
    {
        Unlink(callNode);
        int r = _returnNode[_nodeCall[callNode]];
        if (r != End)
        {
            Unlink(r);
        }
    }

    private void Unlift(int callNode)
    {
        int r = _returnNode[_nodeCall[callNode]];
        if (r != End)
        {
            Relink(r);
        }

        Relink(callNode);
    }

    private void Unlink(int node)
    {
        _next[_prev[node]] = _next[node];
        if (_next[node] != End)
        {
            _prev[_next[node]] = _prev[node];
        }
    }

    private void Relink(int node)
    {
        _next[_prev[node]] = node;
        if (_next[node] != End)
        {
            _prev[_next[node]] = node;
        }
    }

    /// <summary>
    /// A hash set of (bitset, state) pairs in flat arrays: the bitsets of all entries share one word pool,
    /// so an entry costs no allocation of its own.
    /// </summary>
    private sealed class StateCache(int words, IEqualityComparer<TState> equality, int capacity)
    {
        private int[] _buckets = new int[capacity];   // capacity: a power of two
        private ulong[] _keys = new ulong[capacity];
        private int[] _chain = new int[capacity];
        private TState[] _states = new TState[capacity];
        private ulong[] _pool = new ulong[capacity * words];

        public int Count { get; private set; }

        /// <summary>Adds the pair unless it is present; returns whether it was added.</summary>
        public bool Add(ulong[] placed, ulong key, TState state)
        {
            int mask = _buckets.Length - 1;
            ReadOnlySpan<ulong> bits = placed;
            for (int e = _buckets[(int)(key & (ulong)mask)] - 1; e >= 0; e = _chain[e] - 1)
            {
                if (_keys[e] == key
                    && bits.SequenceEqual(_pool.AsSpan(e * words, words))
                    && equality.Equals(_states[e], state))
                {
                    return false;
                }
            }

            if (Count == _keys.Length)
            {
                Grow();
                mask = _buckets.Length - 1;
            }

            int n = Count++;
            _keys[n] = key;
            _states[n] = state;
            bits.CopyTo(_pool.AsSpan(n * words, words));
            ref int bucket = ref _buckets[(int)(key & (ulong)mask)];
            _chain[n] = bucket;
            bucket = n + 1;
            return true;
        }

        private void Grow()
        {
            int size = checked(_keys.Length * 2);
            Array.Resize(ref _keys, size);
            Array.Resize(ref _chain, size);
            Array.Resize(ref _states, size);
            Array.Resize(ref _pool, checked(size * words));
            _buckets = new int[size];
            int mask = size - 1;
            for (int e = 0; e < Count; e++)
            {
                ref int bucket = ref _buckets[(int)(_keys[e] & (ulong)mask)];
                _chain[e] = bucket;
                bucket = e + 1;
            }
        }
    }
}
