namespace Orca.Grains.Scheduling.Filters;

/// <summary>First in the pipeline: only nodes the failure detector believes are up.</summary>
public sealed class ReadyFilter : IPlacementFilter
{
    public string Name => "ready";
    public FilterScope Scope => FilterScope.Static;
    public bool Check(GroupContext group, SchedulingNode node) => node.Status == Model.NodeStatus.Ready;
    public string Explain(int nodes) => $"{Plural.Nodes(nodes)} not ready (suspect or down)";
}

/// <summary>Only nodes the operator keeps active (not drained, not paused).</summary>
public sealed class ActiveFilter : IPlacementFilter
{
    public string Name => "active";
    public FilterScope Scope => FilterScope.Static;
    public bool Check(GroupContext group, SchedulingNode node) => node.Availability == Model.NodeAvailability.Active;
    public string Explain(int nodes) => $"{Plural.Nodes(nodes)} drained or paused";
}

/// <summary>A hard constraint on the node's attributes (both dialects).</summary>
public sealed class ConstraintFilter(NodePredicate predicate) : IPlacementFilter
{
    public string Name => "constraint";
    public FilterScope Scope => FilterScope.Static;
    public bool Check(GroupContext group, SchedulingNode node) => predicate.Matches(node.Spec);
    public string Explain(int nodes) => $"constraint {predicate.Text} not met on {Plural.Nodes(nodes)}";
}
