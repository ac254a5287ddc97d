// LogWriter: the classic producer/consumer. Two producer threads put log lines carrying their names into a
// WorkQueue; one consumer appends them to a file. Shutdown is the poison pill, CompleteAsync: the queue stops
// accepting, the consumer writes every line already accepted, and only then does the program go on. A daemon
// consumer killed at exit would lose what it had not written yet; this one cannot.
// The program then counts the file's lines and exits non-zero if any is missing.
using ThreadSafe;

const int LinesPerProducer = 10_000;
string[] producers = ["alice", "bob"];
string path = Path.Combine(Path.GetTempPath(), $"threadsafe-logwriter-{Environment.ProcessId}.log");

int written;
using (var file = new StreamWriter(path, append: false))
{
    // One consumer (the default): lines are written in the order they were accepted, by one thread only,
    // so the StreamWriter needs no lock of its own.
    await using var queue = new WorkQueue<string>(file.WriteLine, new WorkQueueOptions<string> { Name = "log writer", Capacity = 256 });

    Thread[] threads = producers.Select(name => new Thread(() =>
    {
        for (int i = 0; i < LinesPerProducer; i++)
        {
            queue.Add($"{name} {i}"); // blocks while 256 lines wait: back pressure instead of unbounded memory
        }
    })
    { Name = name }).ToArray();

    foreach (Thread thread in threads)
    {
        thread.Start();
    }

    foreach (Thread thread in threads)
    {
        if (!thread.Join(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException($"producer {thread.Name} did not finish");
        }
    }

    await queue.CompleteAsync(); // the poison pill: drains every accepted line, then stops the consumer
    written = (int)queue.ProcessedCount;
}

string[] lines = File.ReadAllLines(path);
File.Delete(path);
int expected = producers.Length * LinesPerProducer;
bool allThere = lines.Length == expected && written == expected &&
                producers.All(name => lines.Count(l => l.StartsWith(name + " ", StringComparison.Ordinal)) == LinesPerProducer);
Console.WriteLine(allThere
    ? $"All {lines.Length:N0} lines were written ({LinesPerProducer:N0} from each of {string.Join(" and ", producers)})."
    : $"MISMATCH: expected {expected:N0} lines, the file has {lines.Length:N0} (handler ran {written:N0} times).");
return allThere ? 0 : 1;
