using ThreadSafe.Testing.Histories;

namespace ThreadSafe.Testing.Tests.Histories;

/// <summary>The fault a simulated store injects.</summary>
public enum StoreFault
{
    None,
    StaleRead,
    LostWrite,
}

/// <summary>
/// Histories shaped like Jepsen's, from a simulated key-value store (a register per key) under many clients:
/// each call takes effect atomically at a random point between its call and its return, so a history without
/// faults is linearizable by construction. Writes and cas write unique values. Some calls never return (their
/// client "crashes" and a new client id takes over, as in Jepsen); such a call took effect or not, at random.
/// Faults: a read returns a value that was overwritten before (stale read), or an acknowledged write is never
/// applied (lost write). A faulty history is kept only with a witness that no linearization exists: a read
/// returned value <c>u</c> although a write of another value started after u's writer returned and itself
/// returned before the read was called (values are unique, so u cannot be explained).
/// </summary>
public static class JepsenLikeHistories
{
    public static List<Operation<RegisterInput, int?>> Generate(int seed, int keys, int callsPerKey, int clients, StoreFault fault)
    {
        for (int attempt = 0; ; attempt++)
        {
            List<Operation<RegisterInput, int?>> history = Simulate(seed + (attempt * 7919), keys, callsPerKey, clients, fault);
            if ((fault == StoreFault.None) == (Witness(history) is null))
            {
                return history;
            }
        }
    }

    /// <summary>A read that no linearization can explain (see the class summary), or null.</summary>
    public static Operation<RegisterInput, int?>? Witness(List<Operation<RegisterInput, int?>> history)
    {
        foreach (IGrouping<int, Operation<RegisterInput, int?>> key in history.GroupBy(o => o.Input.Key))
        {
            // Completed writes (and successful cas) by value; the initial value 0 has a writer that returned at -infinity.
            var writes = key.Where(o => o.Return is not null && (o.Input.Op == 'w' || (o.Input.Op == 'c' && o.Output == 1))).ToList();
            var writerOf = new Dictionary<int, Operation<RegisterInput, int?>>();
            foreach (Operation<RegisterInput, int?> o in key.Where(o => o.Input.Op == 'w' || o.Input.Op == 'c'))
            {
                writerOf[o.Input.Op == 'w' ? o.Input.A : o.Input.B] = o;
            }

            foreach (Operation<RegisterInput, int?> read in key.Where(o => o.Input.Op == 'r' && o.Return is not null && o.Output is not null))
            {
                int u = read.Output!.Value;
                long writerReturn = u == 0 ? long.MinValue : writerOf.TryGetValue(u, out var w) && w.Return is long r ? r : long.MaxValue;
                if (writerReturn == long.MaxValue && u != 0)
                {
                    continue; // written by a call that never returned: no real-time bound on it
                }

                if (writes.Any(w2 => (w2.Input.Op == 'w' ? w2.Input.A : w2.Input.B) != u && w2.Call > writerReturn && w2.Return < read.Call))
                {
                    return read;
                }
            }
        }

        return null;
    }

    private static List<Operation<RegisterInput, int?>> Simulate(int seed, int keys, int callsPerKey, int clients, StoreFault fault)
    {
        var random = new Random(seed);
        int total = keys * callsPerKey;
        int pendingCalls = random.Next(10, 21);
        var pendingAt = new HashSet<int>();
        while (pendingAt.Count < pendingCalls)
        {
            pendingAt.Add(random.Next(total / 10, total));
        }

        var current = new int[keys];
        var versions = Enumerable.Range(0, keys).Select(_ => new List<int> { 0 }).ToArray();
        int nextValue = 1;
        int nextClientId = clients;
        var clientId = Enumerable.Range(0, clients).ToArray();
        var slots = new (RegisterInput Input, long Call, long Lin, long Return, int? Output, bool Pending, bool Applies)[clients];
        var events = new PriorityQueue<(int Client, bool IsReturn), (long Time, int Seq)>();
        int seq = 0;
        int issued = 0;
        var history = new List<Operation<RegisterInput, int?>>(total);
        for (int c = 0; c < clients; c++)
        {
            Invoke(c, random.Next(0, 20));
        }

        while (events.TryDequeue(out var e, out var at))
        {
            ref var slot = ref slots[e.Client];
            if (!e.IsReturn)
            {
                if (slot.Applies)
                {
                    slot.Output = Apply(slot.Input);
                }

                events.Enqueue((e.Client, true), (slot.Return, seq++));
                continue;
            }

            history.Add(new Operation<RegisterInput, int?>
            {
                ClientId = clientId[e.Client],
                Input = slot.Input,
                Call = slot.Call,
                Output = slot.Pending || slot.Input.Op == 'w' ? null : slot.Output,
                Return = slot.Pending ? null : slot.Return,
            });
            if (slot.Pending)
            {
                clientId[e.Client] = nextClientId++; // a crashed client is replaced by a new one
            }

            Invoke(e.Client, at.Time + random.Next(1, 10));
        }

        return history;

        void Invoke(int c, long time)
        {
            if (issued == total)
            {
                return;
            }

            int key = random.Next(keys);
            int choice = random.Next(10);
            RegisterInput input = choice < 5 ? new RegisterInput('r', 0, 0, key)
                : choice < 8 ? new RegisterInput('w', nextValue++, 0, key)
                : new RegisterInput('c', random.Next(2) == 0 ? current[key] : versions[key][random.Next(versions[key].Count)], nextValue++, key);
            bool pending = pendingAt.Contains(issued++);
            long lin = time + random.Next(1, 30);
            slots[c] = (input, time, lin, lin + random.Next(1, 30), null, pending, !pending || random.Next(2) == 0);
            events.Enqueue((c, false), (lin, seq++));
        }

        int? Apply(RegisterInput input)
        {
            int k = input.Key;
            switch (input.Op)
            {
                case 'r':
                    if (fault == StoreFault.StaleRead && versions[k].Count > 2 && random.Next(40) == 0)
                    {
                        return versions[k][random.Next(versions[k].Count - 2)];
                    }

                    return current[k];
                case 'w':
                    if (fault != StoreFault.LostWrite || random.Next(25) != 0)
                    {
                        current[k] = input.A;
                        versions[k].Add(input.A);
                    }

                    return null;
                default:
                    if (current[k] != input.A)
                    {
                        return 0;
                    }

                    current[k] = input.B;
                    versions[k].Add(input.B);
                    return 1;
            }
        }
    }
}
