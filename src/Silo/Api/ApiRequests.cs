using Orca.Grains.Model;

namespace Orca.Silo.Api;

/// <summary>POST /v1/nodes. Capacity defaults to what the Docker host reports.</summary>
public sealed record NodeRequest(string? Id, string? Docker, Dictionary<string, string>? Labels, string? Cpu, string? Memory, string? Role,
    string? Address = null, string[]? Generic = null);

/// <summary>PATCH /v1/nodes/{id}: labels to add or replace, labels to remove, role, capacity; what is left out stays.</summary>
public sealed record NodeUpdateRequest(Dictionary<string, string>? LabelAdd, string[]? LabelRm, string? Role, string? Cpu, string? Memory,
    string[]? Generic = null);

/// <summary>POST /v1/services and PUT /v1/services/{name}: quantities as users write them (250m, 64Mi, 5s).</summary>
public sealed record ServiceRequest(
    string? Name, string? Image, int? Replicas, string? Cpu, string? Memory,
    string[]? Constraints, string[]? Spread, int? MaxPerNode, string? Strategy,
    string? Restart, string? RestartDelay, int? RestartMaxAttempts, string? RestartWindow,
    int? UpdateParallelism, string? UpdateDelay, string? UpdateOrder,
    int[]? Ports, Dictionary<string, string>? Env, string[]? Command,
    string? UpdateFailureAction = null, string? UpdateMonitor = null, double? UpdateMaxFailureRatio = null,
    int? RollbackParallelism = null, string? RollbackDelay = null, string? RollbackOrder = null,
    string? RollbackFailureAction = null, string? RollbackMonitor = null, double? RollbackMaxFailureRatio = null,
    string? HealthCmd = null, string? HealthInterval = null, string? HealthTimeout = null, string? HealthStartPeriod = null, int? HealthRetries = null,
    bool? NoHealthcheck = null, string? HealthHttp = null, string? HealthTcp = null, string? Network = null, string[]? Generic = null,
    string[]? TopologySpread = null);

/// <summary>POST /v1/services/{name}/rollback: to the spec of this version (default: the one before the current).</summary>
public sealed record RollbackRequest(int? Version);

public sealed record ScaleRequest(int? Replicas);

/// <summary>Turns requests into specs; every mistake is an <see cref="ArgumentException"/> naming the field.</summary>
public static class ApiRequests
{
    public static ServiceSpec ToSpec(ServiceRequest r, ServiceSpec? current = null)
    {
        var name = r.Name ?? current?.Name ?? throw new ArgumentException("name: required");
        var image = r.Image ?? current?.Image ?? throw new ArgumentException("image: required (e.g. nginx:1.27)");
        var s = current ?? ServiceSpec.Create(name, image, 1, Resources.Zero);
        return s with
        {
            Name = name,
            Image = image,
            Replicas = r.Replicas ?? s.Replicas,
            Resources = new Resources(Cpu(r.Cpu, "cpu") ?? s.Resources.CpuMillis, Bytes(r.Memory, "memory") ?? s.Resources.MemoryBytes),
            Placement = s.Placement with
            {
                Constraints = r.Constraints ?? s.Placement.Constraints,
                Spread = r.Spread ?? s.Placement.Spread,
                MaxReplicasPerNode = r.MaxPerNode ?? s.Placement.MaxReplicasPerNode,
                TopologySpread = r.TopologySpread ?? s.Placement.TopologySpread,
                Strategy = r.Strategy is null ? s.Placement.Strategy : Choice(r.Strategy, "strategy", ("spread", SchedulingStrategy.Spread), ("binpack", SchedulingStrategy.Binpack)),
            },
            Restart = s.Restart with
            {
                Condition = r.Restart is null ? s.Restart.Condition : Choice(r.Restart, "restart", ("any", RestartCondition.Any), ("on-failure", RestartCondition.OnFailure), ("none", RestartCondition.None)),
                Delay = Duration(r.RestartDelay, "restartDelay") ?? s.Restart.Delay,
                MaxAttempts = r.RestartMaxAttempts ?? s.Restart.MaxAttempts,
                Window = Duration(r.RestartWindow, "restartWindow") ?? s.Restart.Window,
            },
            Update = Policy(s.Update, "update", r.UpdateParallelism, r.UpdateDelay, r.UpdateOrder, r.UpdateFailureAction, r.UpdateMonitor, r.UpdateMaxFailureRatio),
            Rollback = r is { RollbackParallelism: null, RollbackDelay: null, RollbackOrder: null, RollbackFailureAction: null, RollbackMonitor: null, RollbackMaxFailureRatio: null }
                ? s.Rollback
                : Policy(s.RollbackPolicy, "rollback", r.RollbackParallelism, r.RollbackDelay, r.RollbackOrder, r.RollbackFailureAction, r.RollbackMonitor, r.RollbackMaxFailureRatio),
            Health = Health(r, s.Health),
            Network = r.Network is null ? s.Network
                : Choice(r.Network, "network", ("default", NetworkMode.Default), ("host", NetworkMode.Host), ("none", NetworkMode.None)),
            HostPorts = r.Ports ?? s.HostPorts,
            Env = r.Env ?? s.Env,
            Command = r.Command ?? s.Command,
            Generic = r.Generic is null ? s.Generic : GenericResources.Parse(r.Generic, "generic", named: false) is { Count: > 0 } g ? g : null,
        };
    }

    /// <summary>The health check with the fields given changed: healthCmd is a shell command (Docker's CMD-SHELL),
    /// healthHttp <c>PORT[/PATH]</c> and healthTcp <c>PORT</c> checks Orca makes from the node; noHealthcheck turns off
    /// the image's own check (NONE).</summary>
    private static HealthCheck? Health(ServiceRequest r, HealthCheck? h)
    {
        var test = HealthCheck.TestOf(("healthCmd", r.HealthCmd), ("healthHttp", r.HealthHttp), ("healthTcp", r.HealthTcp));
        if (r.NoHealthcheck == true)
        {
            if (test is not null) throw new ArgumentException("noHealthcheck: conflicts with the health check given");
            return HealthCheck.None;
        }
        if (test is null && r is { HealthInterval: null, HealthTimeout: null, HealthStartPeriod: null, HealthRetries: null }) return h;
        if (test is null && h is not { Checks: true }) throw new ArgumentException("healthCmd, healthHttp or healthTcp: required with the other health settings");
        return HealthCheck.With(h, test, Duration(r.HealthInterval, "healthInterval"), Duration(r.HealthTimeout, "healthTimeout"),
            Duration(r.HealthStartPeriod, "healthStartPeriod"), r.HealthRetries);
    }

    /// <summary>An update or rollback policy with the fields given changed; field names as the JSON has them
    /// (<paramref name="prefix"/>Parallelism, …).</summary>
    private static UpdatePolicy Policy(UpdatePolicy p, string prefix, int? parallelism, string? delay, string? order, string? failureAction,
        string? monitor, double? maxFailureRatio) => p with
    {
        Parallelism = parallelism ?? p.Parallelism,
        Delay = Duration(delay, prefix + "Delay") ?? p.Delay,
        Order = order is null ? p.Order : Choice(order, prefix + "Order", ("stop-first", UpdateOrder.StopFirst), ("start-first", UpdateOrder.StartFirst)),
        FailureAction = failureAction is null ? p.FailureAction
            : Choice(failureAction, prefix + "FailureAction", ("pause", FailureAction.Pause), ("continue", FailureAction.Continue), ("rollback", FailureAction.Rollback)),
        Monitor = Duration(monitor, prefix + "Monitor") ?? p.Monitor,
        MaxFailureRatio = maxFailureRatio ?? p.MaxFailureRatio,
    };

    public static NodeJoin ToJoin(NodeRequest r) => new(r.Docker ?? "", Cpu(r.Cpu, "cpu"), Bytes(r.Memory, "memory"),
        r.Labels ?? new Dictionary<string, string>(),
        r.Role is null ? NodeRole.Worker : Choice(r.Role, "role", ("worker", NodeRole.Worker), ("manager", NodeRole.Manager)),
        r.Address is null ? null : System.Net.IPAddress.TryParse(r.Address, out _) ? r.Address : throw new ArgumentException($"address: '{r.Address}' is not an IP address"),
        r.Generic is null ? null : GenericResources.Parse(r.Generic, "generic", named: true));

    public static NodeChange ToChange(NodeUpdateRequest r) => new(r.LabelAdd, r.LabelRm,
        r.Role is null ? null : Choice(r.Role, "role", ("worker", NodeRole.Worker), ("manager", NodeRole.Manager)),
        Cpu(r.Cpu, "cpu"), Bytes(r.Memory, "memory"), r.Generic is null ? null : GenericResources.Parse(r.Generic, "generic", named: true, removing: true));

    public static long? Cpu(string? text, string field) =>
        text is null ? null : QuantityFormat.TryParseCpuMillis(text, out var m) ? m : throw new ArgumentException($"{field}: '{text}' is not CPUs (e.g. 250m or 2)");

    public static long? Bytes(string? text, string field) =>
        text is null ? null : QuantityFormat.TryParseBytes(text, out var b) ? b : throw new ArgumentException($"{field}: '{text}' is not a size (e.g. 64Mi or 2Gi)");

    public static TimeSpan? Duration(string? text, string field) =>
        text is null ? null : QuantityFormat.TryParseDuration(text, out var d) ? d : throw new ArgumentException($"{field}: '{text}' is not a duration (e.g. 5s or 1m30s)");

    public static T Choice<T>(string text, string field, params (string Name, T Value)[] choices)
    {
        foreach (var (n, v) in choices)
            if (string.Equals(n, text, StringComparison.OrdinalIgnoreCase)) return v;
        throw new ArgumentException($"{field}: '{text}' is not one of {string.Join(", ", choices.Select(c => c.Name))}");
    }
}
