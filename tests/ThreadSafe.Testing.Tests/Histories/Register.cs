using ThreadSafe.Testing.Histories;

namespace ThreadSafe.Testing.Tests.Histories;

/// <summary>A call on a register (optionally one of several keys): write, read or compare-and-set.</summary>
/// <param name="Op">'w' write <paramref name="A"/>, 'r' read, 'c' set to <paramref name="B"/> if it holds <paramref name="A"/>.</param>
public readonly record struct RegisterInput(char Op, int A, int B, int Key = 0)
{
    public override string ToString() => Op switch
    {
        'w' => $"write(k{Key}, {A})",
        'r' => $"read(k{Key})",
        _ => $"cas(k{Key}, {A}, {B})",
    };
}

/// <summary>Models of a register for the history tests: the output of a read is the value (null: unknown), of a cas 1 or 0 (null: unknown).</summary>
public static class Register
{
    public static (bool Ok, int Next) Step(int state, RegisterInput input, int? output) => input.Op switch
    {
        'w' => (true, input.A),
        'r' => (output is null || output == state, state),
        _ => output switch
        {
            null => (true, state == input.A ? input.B : state),
            1 => (state == input.A, input.B),
            _ => (state != input.A, state),
        },
    };

    public static Model<int, RegisterInput, int?> Model { get; } = new()
    {
        Init = () => 0,
        Step = Step,
    };

    /// <summary>Every key its own register, checked as one part per key.</summary>
    public static Model<int, RegisterInput, int?> PartitionedByKey { get; } = new()
    {
        Init = () => 0,
        Step = Step,
        Partition = history => history.GroupBy(o => o.Input.Key).Select(g => (IReadOnlyList<Operation<RegisterInput, int?>>)g.ToList()),
    };

    /// <summary>Keys 0 and 1 in one state: the unpartitioned twin of <see cref="PartitionedByKey"/> with two keys.</summary>
    public static Model<(int K0, int K1), RegisterInput, int?> TwoKeys { get; } = new()
    {
        Init = () => (0, 0),
        Step = (s, input, output) =>
        {
            if (input.Key == 0)
            {
                (bool ok, int next) = Step(s.K0, input, output);
                return (ok, (next, s.K1));
            }
            else
            {
                (bool ok, int next) = Step(s.K1, input, output);
                return (ok, (s.K0, next));
            }
        },
    };

    public static Operation<RegisterInput, int?> Op(int client, RegisterInput input, long call, int? output, long? ret) =>
        new() { ClientId = client, Input = input, Call = call, Output = output, Return = ret };
}
