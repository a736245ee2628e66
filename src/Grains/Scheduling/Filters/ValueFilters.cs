namespace Orca.Grains.Scheduling.Filters;

/// <summary>A node without a spread attribute's label is no value to spread over: it is out for the service, as
/// Marathon has it for GROUP_BY and Kubernetes for a topology key (Swarm alone puts such nodes in a group of their own).</summary>
public sealed class SpreadLabelFilter(NodeAttribute attribute) : IPlacementFilter
{
    public string Name => "spread-label";
    public FilterScope Scope => FilterScope.Static;
    public bool Check(GroupContext group, SchedulingNode node) => attribute.ValueOf(node.Spec) is not null;
    public string Explain(int nodes) => $"no {attribute.Display} to spread over on {Plural.Nodes(nodes)}";
}

/// <summary>Marathon <c>GROUP_BY:N</c> and <c>CLUSTER</c> without a value: only nodes with one of the
/// <see cref="ValueCap.MaxValues"/> values the group may use (<see cref="GroupContext.CapValues"/>, chosen by
/// <see cref="Placement"/> once the other static filters ran) are left.</summary>
public sealed class ValueCapFilter(int capIndex, ValueCap cap) : IPlacementFilter
{
    public string Name => "value-cap";
    public FilterScope Scope => FilterScope.Static;

    public bool Check(GroupContext group, SchedulingNode node) =>
        cap.Attribute.ValueOf(node.Spec) is { } value && (group.CapValues[capIndex] is not { } allowed || allowed.Contains(value));

    public string Explain(int nodes) => cap.MaxValues == 1
        ? $"{cap.Text}: another {cap.Attribute.Display} holds the service on {Plural.Nodes(nodes)}"
        : $"{cap.Text}: the service already uses {cap.MaxValues} other values on {Plural.Nodes(nodes)}";
}

/// <summary>Kubernetes' DoNotSchedule: taking the task must not make the node's domain exceed the emptiest eligible
/// domain by more than the max skew (<see cref="TopologyCounts"/>, set by <see cref="Placement"/> after the static pass).</summary>
public sealed class TopologySpreadFilter(int index, TopologySpread spread) : IPlacementFilter
{
    public string Name => "topology-spread";
    public FilterScope Scope => FilterScope.Group;
    public bool Check(GroupContext group, SchedulingNode node) =>
        group.Topology[index] is not { } counts || counts.Allows(spread.Key.ValueOf(node.Spec));
    public string Explain(int nodes) => $"topology spread {spread.Text} would be exceeded on {Plural.Nodes(nodes)}";
}
