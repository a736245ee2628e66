namespace Orca.Simulator.Engine;

/// <summary>The loop's virtual clock as a BCL <see cref="TimeProvider"/>, the only clock grain code reads.</summary>
public sealed class SimTimeProvider(EventLoop loop) : TimeProvider
{
    /// <summary>Virtual time zero.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(loop.Now);
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => loop.Now;

    public static TimeSpan Since(DateTimeOffset t) => t - Epoch;
}
