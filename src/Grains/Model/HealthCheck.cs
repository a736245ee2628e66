using Orleans;

namespace Orca.Grains.Model;

/// <summary>
/// A container health check with Docker's names and defaults: <see cref="Test"/> is Docker's HEALTHCHECK test
/// (<c>["CMD-SHELL", "curl -f http://localhost/"]</c>, <c>["CMD", "cat", "/ok"]</c>, <c>["NONE"]</c> to turn off
/// the image's own) or one Orca makes from the node, Marathon style: <c>["HTTP", "8080", "/healthz"]</c> (a GET
/// answered 200–399 passes) or <c>["TCP", "8080"]</c> (a connection accepted passes), against the task's port on its
/// node. Run every <see cref="Interval"/> (30s) with a <see cref="Timeout"/> (30s), failures during
/// <see cref="StartPeriod"/> (0s; Marathon's grace period) not counted, unhealthy after <see cref="Retries"/> (3)
/// failures in a row.
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

    /// <summary><paramref name="current"/> with the settings given changed (<paramref name="test"/> replaces the
    /// test, see <see cref="TestOf"/>); settings not given keep their value, or Docker's default.</summary>
    public static HealthCheck With(HealthCheck? current, IReadOnlyList<string>? test, TimeSpan? interval, TimeSpan? timeout, TimeSpan? startPeriod, int? retries) =>
        new(test ?? current?.Test ?? None.Test,
            interval ?? current?.Interval ?? DefaultInterval, timeout ?? current?.Timeout ?? DefaultTimeout,
            startPeriod ?? current?.StartPeriod ?? TimeSpan.Zero, retries ?? current?.Retries ?? 3);

    /// <summary>The test of at most one of a shell command (Docker's <c>--health-cmd</c>), an http check
    /// <c>PORT[/PATH]</c> (path <c>/</c> if none) or a tcp port; null when none is given. The names in errors are
    /// <paramref name="cmd"/>, <paramref name="http"/>, <paramref name="tcp"/> as the caller's users write them.</summary>
    public static IReadOnlyList<string>? TestOf((string Name, string? Value) cmd, (string Name, string? Value) http, (string Name, string? Value) tcp)
    {
        var given = new[] { cmd, http, tcp }.Where(o => o.Value is not null).ToList();
        if (given.Count > 1) throw new ArgumentException($"{given[0].Name} and {given[1].Name}: give one health check, not both");
        if (cmd.Value is { } shell) return ["CMD-SHELL", shell];
        if (http.Value is { } h)
        {
            int slash = h.IndexOf('/');
            var (port, path) = slash < 0 ? (h, "/") : (h[..slash], h[slash..]);
            return ["HTTP", Port(port, http.Name, "PORT or PORT/PATH, e.g. 8080/healthz"), path];
        }
        if (tcp.Value is { } t) return ["TCP", Port(t, tcp.Name, "a port, e.g. 5432")];
        return null;
    }

    private static string Port(string text, string field, string expected) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535
            ? p.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : throw new ArgumentException($"{field}: '{text}' is not {expected}");

    /// <summary>Whether tasks wait for the check: false for <c>NONE</c>.</summary>
    public bool Checks => Test is [var kind, ..] && kind != "NONE";

    /// <summary>Whether Orca makes the check from the node (HTTP or TCP) rather than Docker in the container.</summary>
    public bool ByOrca => Test is ["HTTP", ..] or ["TCP", ..];

    /// <summary>The port an HTTP or TCP check dials on the task's node; 0 for command checks.</summary>
    public int ProbePort => ByOrca && int.TryParse(Test[1], System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : 0;

    /// <summary>The path an HTTP check asks for.</summary>
    public string ProbePath => Test is ["HTTP", _, var path] ? path : "/";

    public void Validate(string at)
    {
        if (Test is not [("CMD-SHELL" or "CMD"), _, ..] and not ["NONE"] and not ["HTTP", _, _] and not ["TCP", _])
            throw new ArgumentException($"{at}: health check test must be CMD-SHELL with a command, CMD with a program, HTTP with a port and path, TCP with a port, or NONE");
        if (ByOrca && ProbePort is < 1 or > 65535) throw new ArgumentException($"{at}: health check port '{Test[1]}' is not between 1 and 65535");
        if (Test is ["HTTP", _, var p] && (!p.StartsWith('/') || p.Any(char.IsWhiteSpace)))
            throw new ArgumentException($"{at}: health check path '{p}' must start with / and hold no spaces");
        if (Interval <= TimeSpan.Zero) throw new ArgumentException($"{at}: health interval must be more than 0");
        if (Timeout <= TimeSpan.Zero) throw new ArgumentException($"{at}: health timeout must be more than 0");
        if (StartPeriod < TimeSpan.Zero) throw new ArgumentException($"{at}: health start period must not be negative");
        if (Retries < 1) throw new ArgumentException($"{at}: health retries must be 1 or more");
    }
}
