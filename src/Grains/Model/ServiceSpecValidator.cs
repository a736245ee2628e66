using Orca.Grains.Scheduling;

namespace Orca.Grains.Model;

/// <summary>Rejects a service spec a user got wrong before anything is stored, naming the field and what it takes.</summary>
public static class ServiceSpecValidator
{
    public const int MaxReplicas = 100_000;

    public static void Validate(ServiceSpec spec)
    {
        if (!Names.IsValid(spec.Name)) throw new ArgumentException($"service name '{spec.Name}': {Names.Rule}");
        var at = $"service {spec.Name}";
        if (string.IsNullOrWhiteSpace(spec.Image) || spec.Image.Any(char.IsWhiteSpace))
            throw new ArgumentException($"{at}: image '{spec.Image}' is not an image reference (e.g. nginx:1.27)");
        if (spec.Replicas is < 0 or > MaxReplicas) throw new ArgumentException($"{at}: replicas must be 0 to {MaxReplicas}, not {spec.Replicas}");
        if (spec.Resources.CpuMillis < 0) throw new ArgumentException($"{at}: cpu must not be negative");
        if (spec.Resources.MemoryBytes < 0) throw new ArgumentException($"{at}: memory must not be negative");
        if (spec.Restart.Delay < TimeSpan.Zero) throw new ArgumentException($"{at}: restart delay must not be negative");
        if (spec.Restart.MaxAttempts < 0) throw new ArgumentException($"{at}: restart max attempts must be 0 (unlimited) or more");
        if (spec.Restart.Window < TimeSpan.Zero) throw new ArgumentException($"{at}: restart window must not be negative");
        spec.Health?.Validate(at);
        Policy(spec.Update, $"{at}: update");
        Policy(spec.RollbackPolicy, $"{at}: rollback");
        foreach (var port in spec.HostPorts)
            if (port is < 1 or > 65535) throw new ArgumentException($"{at}: host port {port} is not between 1 and 65535");
        if (spec.HostPorts.Distinct().Count() != spec.HostPorts.Count) throw new ArgumentException($"{at}: a host port is published twice");
        if (spec.Health is { ByOrca: true } check)
        {
            if (spec.Network == NetworkMode.None) throw new ArgumentException($"{at}: a task without a network cannot have an http or tcp health check");
            if (spec.Network == NetworkMode.Default && !spec.HostPorts.Contains(check.ProbePort))
                throw new ArgumentException($"{at}: the health check dials port {check.ProbePort} on the node: publish it (ports) or use the host network");
        }
        try
        {
            PlacementRules.Parse(spec.Placement);
        }
        catch (ConstraintException e)
        {
            throw new ArgumentException($"{at}: {e.Message}", e);
        }
    }

    private static void Policy(UpdatePolicy p, string at)
    {
        if (p.Parallelism < 0) throw new ArgumentException($"{at} parallelism must be 0 (all at once) or more");
        if (p.Delay < TimeSpan.Zero) throw new ArgumentException($"{at} delay must not be negative");
        if (p.MonitorPeriod < TimeSpan.Zero) throw new ArgumentException($"{at} monitor must not be negative");
        if (p.MaxFailureRatio is < 0 or > 1 || double.IsNaN(p.MaxFailureRatio))
            throw new ArgumentException($"{at} max failure ratio must be between 0 and 1, not {p.MaxFailureRatio}");
    }
}
