namespace WebQueue;

/// <summary>A unit of work accepted by the endpoint.</summary>
/// <param name="Id">The id chosen by the client.</param>
public sealed record Job(int Id);
