namespace ThreadSafe.Tests.Shared;

/// <summary>One measurement kept by <see cref="MeterRecorder"/>: the instrument's name, the value and the tags.</summary>
internal sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyList<KeyValuePair<string, object?>> Tags)
{
    /// <summary>The value of the tag <paramref name="key"/> as a string, or null when the measurement has no such tag.</summary>
    public string? Tag(string key) => Tags.FirstOrDefault(tag => tag.Key == key).Value as string;
}
