// DataHasher: ten threads each replace shared bytes by the SHA-512 hex digest of those bytes.
// The guard takes its lock inside Update, so the ten hashes run one after another in some order;
// because each step is the same function, the result equals ten sequential hashes, every time.
using System.Security.Cryptography;
using System.Text;
using ThreadSafe;

const int Threads = 10;
byte[] seed = Encoding.ASCII.GetBytes("The quick brown fox");

var data = new Guarded<byte[]>(seed, copy: bytes => (byte[])bytes.Clone());

using var start = new ManualResetEvent(false);
var threads = new Thread[Threads];
for (int i = 0; i < Threads; i++)
{
    threads[i] = new Thread(() =>
    {
        start.WaitOne();
        data.Update(Hash); // read, hash and replace: one atomic step under the guard's lock
    })
    { Name = $"hasher-{i}" };
    threads[i].Start();
}

start.Set(); // release all ten at once
foreach (Thread thread in threads)
{
    if (!thread.Join(TimeSpan.FromSeconds(30)))
    {
        Console.Error.WriteLine($"{thread.Name} did not finish");
        return 1;
    }
}

byte[] expected = seed;
for (int i = 0; i < Threads; i++)
{
    expected = Hash(expected);
}

byte[] actual = data.Snapshot(); // a defensive copy: the guarded array never escapes
bool same = actual.AsSpan().SequenceEqual(expected);
Console.WriteLine($"digest after {Threads} concurrent hashes: {Encoding.ASCII.GetString(actual)[..32]}...");
Console.WriteLine(same ? "matches 10 sequential hashes" : "MISMATCH with 10 sequential hashes");
return same ? 0 : 1;

static byte[] Hash(byte[] input) => Encoding.ASCII.GetBytes(Convert.ToHexString(SHA512.HashData(input)));
