using Orleans;

namespace Orca.Grains.Model;

/// <summary>
/// A container health check with Docker's names and defaults: <see cref="Test"/> is Docker's HEALTHCHECK test
/// (<c>["CMD-SHELL", "curl -f http://localhost/"]</c>, <c>["CMD", "cat", "/ok"]</c>, <c>["NONE"]</c> to turn off
/// the image's own), run every <see cref="Interval"/> (30s) with a <see cref="Timeout"/> (30s), failures during
/// <see cref="StartPeriod"/> (0s) not counted, unhealthy after <see cref="Retries"/> (3) failures in a row.
/// A task with a check is running only once the check passed; an unhealthy one is failed and replaced under the
/// restart policy.
/// </summary>
[GenerateSerializer, Immutable, Alias("orca.HealthCheck")]
public sealed record HealthCheck(
    [property: Id(0)] IReadOnlyList<string> Test,
    [property: Id(1)] TimeSpan Interval,
    [property: Id(2)] TimeSpan Timeout,
    [property: Id(3)] TimeSpan StartPeriod,
    [property: Id(4)] int Retries)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30), DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>No check at all, not even the image's own (Docker's <c>--no-healthcheck</c>).</summary>
    public static readonly HealthCheck None = new(["NONE"], DefaultInterval, DefaultTimeout, TimeSpan.Zero, 3);

    /// <summary><paramref name="current"/> with the settings given changed (<paramref name="shellCommand"/> replaces
    /// the test, as Docker's <c>--health-cmd</c>); settings not given keep their value, or Docker's default.</summary>
    public static HealthCheck With(HealthCheck? current, string? shellCommand, TimeSpan? interval, TimeSpan? timeout, TimeSpan? startPeriod, int? retries) =>
        new(shellCommand is not null ? ["CMD-SHELL", shellCommand] : current?.Test ?? None.Test,
            interval ?? current?.Interval ?? DefaultInterval, timeout ?? current?.Timeout ?? DefaultTimeout,
            startPeriod ?? current?.StartPeriod ?? TimeSpan.Zero, retries ?? current?.Retries ?? 3);

    /// <summary>Whether tasks wait for the check: false for <c>NONE</c>.</summary>
    public bool Checks => Test is [var kind, ..] && kind != "NONE";

    public void Validate(string at)
    {
        if (Test is not [("CMD-SHELL" or "CMD"), _, ..] and not ["NONE"])
            throw new ArgumentException($"{at}: health check test must be CMD-SHELL with a command, CMD with a program, or NONE");
        if (Interval <= TimeSpan.Zero) throw new ArgumentException($"{at}: health interval must be more than 0");
        if (Timeout <= TimeSpan.Zero) throw new ArgumentException($"{at}: health timeout must be more than 0");
        if (StartPeriod < TimeSpan.Zero) throw new ArgumentException($"{at}: health start period must not be negative");
        if (Retries < 1) throw new ArgumentException($"{at}: health retries must be 1 or more");
    }
}
