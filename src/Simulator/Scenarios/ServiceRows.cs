using Orca.Grains.Model;
using Orca.Simulator.Hosts;

namespace Orca.Simulator.Scenarios;

/// <summary><c>create-service</c>, <c>update-service</c> (only the keys given change), <c>scale</c>, <c>remove-service</c>.</summary>
internal static class ServiceRows
{
    private static readonly string[] SpecKeys =
    [
        "image", "replicas", "cpu", "memory", "constraint", "spread", "max-per-node", "strategy", "restart", "restart-delay",
        "restart-max-attempts", "restart-window", "update-parallelism", "update-delay", "update-order", "update-failure-action", "update-monitor",
        "update-max-failure-ratio", "rollback-parallelism", "rollback-delay", "rollback-order", "rollback-failure-action", "rollback-monitor",
        "rollback-max-failure-ratio", "health-cmd", "health-interval", "health-timeout", "health-start-period", "health-retries", "no-healthcheck",
        "health-http", "health-tcp", "network", "generic", "topology-spread",
        "port", "fail-after", "exit-code", "healthy-after", "unhealthy-after",
    ];

    public static void Create(RawRow row, ParseState state)
    {
        var p = ParamList.Parse(row.Params, row.Context, false);
        if (state.Services.ContainsKey(row.Target))
        {
            row.Context.TargetError($"service {row.Target} was already created by an earlier row; use update-service or scale");
            return;
        }
        var initial = ServiceSpec.Create(row.Target, "app:1", 1, Resources.Zero);
        var (spec, failure) = Read(p, row.Context, initial, null);
        if (!Validate(spec, row.Context)) return;
        state.Services[row.Target] = spec;
        state.Steps.Add(new CreateServiceStep(row.Line, row.At, spec, failure));
    }

    /// <summary>PREFIX001…PREFIXnnn from one template: the same params as create-service, plus count.</summary>
    public static void CreateMany(RawRow row, ParseState state)
    {
        var p = ParamList.Parse(row.Params, row.Context, false);
        int? count = p.Int("count", 1, 100_000);
        if (count is null && !p.Has("count")) row.Context.ParamError("count is required (how many services)");
        var template = ServiceSpec.Create(row.Target + "1", "app:1", 1, Resources.Zero);
        var (spec, failure) = Read(p, row.Context, template, null, ["count"]);
        if (!Validate(spec, row.Context) || count is not { } n) return;
        int width = Math.Max(3, n.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        for (int i = 1; i <= n; i++)
        {
            var name = row.Target + i.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0');
            if (state.Services.ContainsKey(name))
            {
                row.Context.TargetError($"service {name} was already created by an earlier row; choose another prefix");
                return;
            }
            state.Services[name] = spec with { Name = name };
            state.Steps.Add(new CreateServiceStep(row.Line, row.At, spec with { Name = name }, failure));
        }
    }

    public static void Update(RawRow row, ParseState state)
    {
        var p = ParamList.Parse(row.Params, row.Context, false);
        if (!Existing(row, state, out var current)) return;
        var (spec, failure) = Read(p, row.Context, current, null);
        if (!Validate(spec, row.Context)) return;
        state.Services[row.Target] = spec;
        state.Steps.Add(new UpdateServiceStep(row.Line, row.At, spec, p.Has("fail-after") || p.Has("healthy-after") || p.Has("unhealthy-after") ? failure : null));
    }

    public static void Scale(RawRow row, ParseState state)
    {
        var p = ParamList.Parse(row.Params, row.Context, false);
        int? replicas = p.Int("replicas", 0, ServiceSpecValidator.MaxReplicas);
        if (replicas is null && !p.Has("replicas")) row.Context.ParamError("replicas is required, e.g. replicas=10");
        p.RejectUnknown(["replicas"]);
        if (!Existing(row, state, out var current) || replicas is not { } n) return;
        state.Services[row.Target] = current with { Replicas = n };
        state.Steps.Add(new ScaleStep(row.Line, row.At, row.Target, n));
    }

    public static void Remove(RawRow row, ParseState state)
    {
        ParamList.Parse(row.Params, row.Context, false).RejectUnknown([]);
        if (!Existing(row, state, out _)) return;
        state.Services.Remove(row.Target);
        state.Steps.Add(new RemoveServiceStep(row.Line, row.At, row.Target));
    }

    /// <summary><c>rollback-service,web,</c> or <c>rollback-service,web,version=2</c>.</summary>
    public static void Rollback(RawRow row, ParseState state)
    {
        var p = ParamList.Parse(row.Params, row.Context, false);
        int? version = p.Int("version", 1, int.MaxValue);
        p.RejectUnknown(["version"]);
        if (!Existing(row, state, out _)) return;
        state.Steps.Add(new RollbackServiceStep(row.Line, row.At, row.Target, version));
    }

    private static bool Existing(RawRow row, ParseState state, out ServiceSpec spec)
    {
        if (state.Services.TryGetValue(row.Target, out spec!)) return true;
        row.Context.TargetError($"no service '{row.Target}' exists at {QuantityFormat.Duration(row.At)}; create it with an earlier create-service row");
        return false;
    }

    private static bool Validate(ServiceSpec spec, RowContext ctx)
    {
        try
        {
            ServiceSpecValidator.Validate(spec);
            return true;
        }
        catch (ArgumentException e)
        {
            ctx.ParamError(e.Message);
            return false;
        }
    }

    private static (ServiceSpec, ContainerFailureModel?) Read(ParamList p, RowContext ctx, ServiceSpec s, ContainerFailureModel? failure,
        string[]? extraKeys = null)
    {
        var constraints = p.Repeated("constraint");
        var topology = p.Repeated("topology-spread");
        var spread = p.Repeated("spread");
        var ports = p.Repeated("port");
        var hostPorts = new List<int>();
        foreach (var port in ports)
            if (int.TryParse(port, out var n)) hostPorts.Add(n);
            else ctx.ParamError($"port={port}: expected a port number (1 to 65535)");
        var placement = s.Placement with
        {
            Constraints = constraints.Count > 0 ? constraints : s.Placement.Constraints,
            Spread = spread.Count > 0 ? spread : s.Placement.Spread,
            MaxReplicasPerNode = p.Int("max-per-node", 0, 100_000) ?? s.Placement.MaxReplicasPerNode,
            TopologySpread = topology.Count > 0 ? topology : s.Placement.TopologySpread,
            Strategy = p.Choice("strategy", ("spread", SchedulingStrategy.Spread), ("binpack", SchedulingStrategy.Binpack)) ?? s.Placement.Strategy,
        };
        var restart = s.Restart with
        {
            Condition = p.Choice("restart", ("any", RestartCondition.Any), ("on-failure", RestartCondition.OnFailure), ("none", RestartCondition.None)) ?? s.Restart.Condition,
            Delay = p.Duration("restart-delay") ?? s.Restart.Delay,
            MaxAttempts = p.Int("restart-max-attempts", 0, 1_000_000) ?? s.Restart.MaxAttempts,
            Window = p.Duration("restart-window") ?? s.Restart.Window,
        };
        var update = Policy(p, "update", s.Update);
        var rollback = new[] { "parallelism", "delay", "order", "failure-action", "monitor", "max-failure-ratio" }.Any(k => p.Has("rollback-" + k))
            ? Policy(p, "rollback", s.RollbackPolicy) : s.Rollback;
        IReadOnlyList<string>? test = null;
        try
        {
            test = HealthCheck.TestOf(("health-cmd", p.String("health-cmd")), ("health-http", p.String("health-http")), ("health-tcp", p.String("health-tcp")));
        }
        catch (ArgumentException e)
        {
            ctx.ParamError(e.Message);
        }
        HealthCheck? health = s.Health;
        if (p.Has("no-healthcheck")) health = HealthCheck.None;
        else if (test is not null || new[] { "interval", "timeout", "start-period", "retries" }.Any(k => p.Has("health-" + k)))
        {
            if (test is null && s.Health is not { Checks: true }) ctx.ParamError("health-cmd, health-http or health-tcp is required with the other health-* keys");
            health = HealthCheck.With(s.Health, test, p.Duration("health-interval"), p.Duration("health-timeout"),
                p.Duration("health-start-period"), p.Int("health-retries", 1, 1000));
        }
        var spec = s with
        {
            Health = health,
            Network = p.Choice("network", ("default", NetworkMode.Default), ("host", NetworkMode.Host), ("none", NetworkMode.None)) ?? s.Network,
            Image = p.String("image") ?? s.Image,
            Replicas = p.Int("replicas", 0, ServiceSpecValidator.MaxReplicas) ?? s.Replicas,
            Resources = new Resources(p.Cpu("cpu") ?? s.Resources.CpuMillis, p.Bytes("memory") ?? s.Resources.MemoryBytes),
            Placement = placement,
            Restart = restart,
            Update = update,
            Rollback = rollback,
            HostPorts = ports.Count > 0 ? hostPorts : s.HostPorts,
            Generic = p.Has("generic") ? Generic(p, ctx, named: false) : s.Generic,
        };
        var failAfter = p.Duration("fail-after");
        int exitCode = p.Int("exit-code", 0, 255) ?? 1;
        var healthyAfter = p.Duration("healthy-after");
        var unhealthyAfter = p.Duration("unhealthy-after");
        if (p.Has("exit-code") && failAfter is null) ctx.ParamError("exit-code needs fail-after (the mean time until containers exit)");
        if (failAfter is not null || healthyAfter is not null || unhealthyAfter is not null)
            failure = failAfter <= TimeSpan.Zero && healthyAfter is null && unhealthyAfter is null ? null
                : new ContainerFailureModel(failAfter > TimeSpan.Zero ? failAfter : null, exitCode, healthyAfter, unhealthyAfter);
        if ((healthyAfter is not null || unhealthyAfter is not null) && spec.Health is not { Checks: true })
            ctx.ParamError("healthy-after and unhealthy-after need a health check (health-cmd=…)");
        p.RejectUnknown(extraKeys is null ? SpecKeys : [.. SpecKeys, .. extraKeys]);
        return (spec, failure);
    }

    /// <summary>Repeated <c>generic=KIND=COUNT</c> (or, for a node, <c>generic=KIND=NAME,NAME</c>) keys.</summary>
    internal static IReadOnlyList<GenericResource>? Generic(ParamList p, RowContext ctx, bool named, bool removing = false)
    {
        try
        {
            return GenericResources.Parse(p.Repeated("generic"), "generic", named, removing) is { Count: > 0 } g ? g : null;
        }
        catch (ArgumentException e)
        {
            ctx.ParamError(e.Message);
            return null;
        }
    }

    /// <summary>update-* or rollback-* keys, with Swarm's names; keys not given keep <paramref name="p0"/>'s values.</summary>
    private static UpdatePolicy Policy(ParamList p, string prefix, UpdatePolicy p0) => p0 with
    {
        Parallelism = p.Int(prefix + "-parallelism", 0, 100_000) ?? p0.Parallelism,
        Delay = p.Duration(prefix + "-delay") ?? p0.Delay,
        Order = p.Choice(prefix + "-order", ("stop-first", UpdateOrder.StopFirst), ("start-first", UpdateOrder.StartFirst)) ?? p0.Order,
        FailureAction = p.Choice(prefix + "-failure-action", ("pause", FailureAction.Pause), ("continue", FailureAction.Continue), ("rollback", FailureAction.Rollback))
                        ?? p0.FailureAction,
        Monitor = p.Duration(prefix + "-monitor") ?? p0.Monitor,
        MaxFailureRatio = p.Double(prefix + "-max-failure-ratio", 0, 1) ?? p0.MaxFailureRatio,
    };
}
