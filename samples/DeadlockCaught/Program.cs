// Two services share two guards and take them in opposite orders: Orders takes stock then ledger, Refunds takes
// ledger then stock. Run concurrently, that deadlocks sooner or later. With lock-order checking on (the default here,
// or THREADSAFE_LOCK_ORDER=throw for any program), the first time the inverse order is tried it is refused with a
// report naming both guards and showing both call stacks, and the run ends cleanly.
//
// With checking off, the lock diagnostics show the deadlock instead: a hang watchdog reports each stuck guard with
// the thread holding it and the thread waiting for it, and the run ends with a snapshot of every guard held too long.
//
//   dotnet run --project samples/DeadlockCaught              # checking on: reports the inversion, exits 0
//   dotnet run --project samples/DeadlockCaught -- --off     # checking off: deadlocks; the watchdog reports it, exits 1
using ThreadSafe;
using ThreadSafe.Diagnostics;

bool checking = !args.Contains("--off");
LockWatchdog? watchdog = null;
if (checking)
{
    LockOrder.Enable(LockOrderMode.Throw);
}
else
{
    // Who holds what, and a watchdog that reports a guard held or waited on for more than a second (once per episode).
    LockDiagnostics.Enable();
    watchdog = new LockWatchdog(TimeSpan.FromSeconds(1), report => Console.WriteLine($"Watchdog: {report}{Environment.NewLine}"));
}

var stock = new Guarded<Dictionary<string, int>>(new() { ["apple"] = 1_000_000 }, name: "stock");
var ledger = new Guarded<List<decimal>>([], name: "ledger");
var orders = new Orders(stock, ledger);
var refunds = new Refunds(stock, ledger);

using var stop = new CancellationTokenSource();
LockOrderException? caught = null;

void Run(string name, Action work)
{
    try
    {
        while (!stop.IsCancellationRequested)
        {
            work();
        }
    }
    catch (LockOrderException ex)
    {
        Interlocked.CompareExchange(ref caught, ex, null);
        stop.Cancel();
    }
}

var threads = new[]
{
    new Thread(() => Run("orders", orders.PlaceOrder)) { Name = "orders service", IsBackground = true },
    new Thread(() => Run("refunds", refunds.Refund)) { Name = "refunds service", IsBackground = true },
};
foreach (Thread thread in threads)
{
    thread.Start();
}

// Let the services run for a while (a deadlock shows up long before): then stop them.
stop.CancelAfter(TimeSpan.FromSeconds(3));
bool finished = threads.All(t => t.Join(TimeSpan.FromSeconds(10)));
watchdog?.Dispose();
if (!finished)
{
    Console.WriteLine("Deadlocked: the two services hold one guard each and wait for the other's. Run without --off to catch it.");
    Console.WriteLine("Guards held longer than 5 s now:");
    foreach (LockInfo stuck in LockDiagnostics.Snapshot(TimeSpan.FromSeconds(5)))
    {
        Console.WriteLine(stuck);
    }

    return 1;
}

if (caught?.Report is { } report)
{
    Console.WriteLine("Caught before it could deadlock:");
    Console.WriteLine();
    Console.WriteLine(report);
    return 0;
}

Console.WriteLine(checking
    ? "No inversion seen (unexpected: both orders run many times)."
    : "No deadlock this time; the inverse orders are still there, waiting for an unlucky interleaving.");
return checking ? 1 : 0;

/// <summary>Places an order: takes stock first, then books the payment in the ledger.</summary>
internal sealed class Orders(Guarded<Dictionary<string, int>> stock, Guarded<List<decimal>> ledger)
{
    public void PlaceOrder() =>
        stock.Write(items =>
        {
            items["apple"]--;
            ledger.Write(entries => entries.Add(0.5m));
        });
}

/// <summary>Refunds an order: books the refund in the ledger first, then puts the item back in stock.</summary>
internal sealed class Refunds(Guarded<Dictionary<string, int>> stock, Guarded<List<decimal>> ledger)
{
    public void Refund() =>
        ledger.Write(entries =>
        {
            entries.Add(-0.5m);
            stock.Write(items => items["apple"]++);
        });
}
