namespace ThreadSafe;

/// <summary>Validation of timeout arguments, shared by every primitive.</summary>
internal static class Timeouts
{
    /// <summary>Throws unless <paramref name="timeout"/> is between zero and <see cref="int.MaxValue"/> milliseconds.</summary>
    public static void ThrowIfNotFinite(TimeSpan timeout, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(timeout))] string? paramName = null)
    {
        if (timeout < TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                timeout,
                "The timeout must be zero or positive and at most int.MaxValue milliseconds; an infinite timeout is not allowed here.");
        }
    }
}
