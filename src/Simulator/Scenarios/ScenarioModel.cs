using Orca.Grains.Model;
using Orca.Simulator.Hosts;
using Orca.Simulator.Runtime;

namespace Orca.Simulator.Scenarios;

/// <summary>A parsed scenario: settings and timed steps, ordered by time then by line.</summary>
public sealed class Scenario
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required IReadOnlyList<ScenarioStep> Steps { get; init; }
    public required OrcaOptions Cluster { get; init; }
    public required SimHostOptions Hosts { get; init; }
    public required NetworkModel Network { get; init; }
    public required TimeSpan SampleInterval { get; init; }
    public required string RackLabel { get; init; }
    public required TimeSpan End { get; init; }

    /// <summary>Simulated silos hosting the grains (1: every grain on one silo).</summary>
    public int Silos { get; init; } = 1;
    public TimeSpan SiloDeadAfter { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Scheduler filters switched off (mutation testing of the property checks; see <see cref="Orca.Grains.Scheduling.FilterSet"/>).</summary>
    public IReadOnlyList<string> DisabledFilters { get; init; } = [];
}

/// <summary>One row of a scenario, at its virtual time.</summary>
public abstract record ScenarioStep(int Line, TimeSpan At);

public sealed record AddNodesStep(int Line, TimeSpan At, IReadOnlyList<NodeSpec> Nodes) : ScenarioStep(Line, At);

/// <summary><c>update-node</c>: labels, role or capacity of the selected nodes change.</summary>
public sealed record UpdateNodesStep(int Line, TimeSpan At, IReadOnlyList<string> Nodes, NodeChange Change) : ScenarioStep(Line, At);

/// <summary><c>remove-node</c>: the selected nodes leave the cluster (<c>force=true</c>: even if neither down nor drained).</summary>
public sealed record RemoveNodesStep(int Line, TimeSpan At, IReadOnlyList<string> Nodes, bool Force) : ScenarioStep(Line, At);

public sealed record CreateServiceStep(int Line, TimeSpan At, ServiceSpec Spec, ContainerFailureModel? Failure) : ScenarioStep(Line, At);

public sealed record UpdateServiceStep(int Line, TimeSpan At, ServiceSpec Spec, ContainerFailureModel? Failure) : ScenarioStep(Line, At);

public sealed record ScaleStep(int Line, TimeSpan At, string Service, int Replicas) : ScenarioStep(Line, At);

public sealed record RemoveServiceStep(int Line, TimeSpan At, string Service) : ScenarioStep(Line, At);

public enum FaultKind { Crash, Recover, Partition, Heal, Slow, Drain, Activate, Cordon, CrashSilo, RecoverSilo }

/// <summary>A fault or operator action on the nodes a selector chose (resolved when the file was read).</summary>
public sealed record FaultStep(int Line, TimeSpan At, FaultKind Kind, string Selector, IReadOnlyList<string> Nodes, double Factor)
    : ScenarioStep(Line, At)
{
    public string Describe() => Kind switch
    {
        FaultKind.Slow => $"slow {Selector} x{Factor:0.##}",
        FaultKind.CrashSilo => $"crash silo {Selector}",
        FaultKind.RecoverSilo => $"recover silo {Selector}",
        _ => $"{Kind.ToString().ToLowerInvariant()} {Selector}",
    };

    /// <summary>Faults that take capacity away (their recovery is measured as time to converge).</summary>
    public bool IsDisruptive => Kind is FaultKind.Crash or FaultKind.Partition or FaultKind.Drain or FaultKind.CrashSilo;
}

/// <summary>Random crashes of the selected nodes over a period, each followed by a recovery after a drawn downtime.</summary>
public sealed record CrashStormStep(int Line, TimeSpan At, string Selector, IReadOnlyList<string> Nodes, TimeSpan Duration,
    int Crashes, TimeSpan DowntimeMin, TimeSpan DowntimeMax) : ScenarioStep(Line, At);

public enum CompareOp { Equal, AtLeast, AtMost, Greater, Less }

public sealed record ExpectCheck(string Metric, CompareOp Op, long Value)
{
    public bool Holds(long actual) => Op switch
    {
        CompareOp.Equal => actual == Value,
        CompareOp.AtLeast => actual >= Value,
        CompareOp.AtMost => actual <= Value,
        CompareOp.Greater => actual > Value,
        _ => actual < Value,
    };

    public override string ToString() => $"{Metric}{Op switch { CompareOp.Equal => "=", CompareOp.AtLeast => ">=", CompareOp.AtMost => "<=", CompareOp.Greater => ">", _ => "<" }}{Show(Metric, Value)}";

    /// <summary>A value as the scenario writes it: deployment states by name (rollback_completed), numbers as numbers.</summary>
    public static string Show(string metric, long value) =>
        metric == "update-min-running" && value < 0 ? "none (no update ran)"
        : metric == "deployment" ? value < 0 ? "none" : Orca.Grains.Reconciliation.Deployments.StateName((Orca.Grains.Reconciliation.DeploymentState)value)
        : value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Rolls a service back to the spec of an earlier version (default: the one before the current).</summary>
public sealed record RollbackServiceStep(int Line, TimeSpan At, string Service, int? Version) : ScenarioStep(Line, At);

/// <summary>Asserts the state at a time: of a service (target = its name), of a node (target = node:ID) or of the
/// whole cluster (target = cluster).</summary>
public sealed record ExpectStep(int Line, TimeSpan At, string Target, IReadOnlyList<ExpectCheck> Checks) : ScenarioStep(Line, At)
{
    public const string ClusterTarget = "cluster";
    public const string NodePrefix = "node:";

    /// <summary>The node id of a node:ID target, else null.</summary>
    public static string? NodeOf(string target) => target.StartsWith(NodePrefix, StringComparison.Ordinal) ? target[NodePrefix.Length..] : null;
}

public sealed record EndStep(int Line, TimeSpan At) : ScenarioStep(Line, At);
