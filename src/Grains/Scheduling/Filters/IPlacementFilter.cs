namespace Orca.Grains.Scheduling.Filters;

/// <summary>One feasibility check, SwarmKit-style: does the node pass, and how to say why it did not.</summary>
public interface IPlacementFilter
{
    string Name { get; }

    /// <summary>What the answer depends on, and so when it has to be asked again.</summary>
    FilterScope Scope { get; }

    bool Check(GroupContext group, SchedulingNode node);

    /// <summary>"insufficient memory on 7 nodes".</summary>
    string Explain(int nodes);
}

/// <summary>What a filter's answer depends on.</summary>
public enum FilterScope
{
    /// <summary>The node's spec, status and availability only: asked once per node per group, and again when the node changes.</summary>
    Static,

    /// <summary>Also what is placed on the node (resources, ports, the service's tasks there): the answer changes only
    /// when a task is assigned to or released from that node, so a node that fails stays out until then.</summary>
    Node,

    /// <summary>The service's tasks on other nodes too (per-value limits, topology skew): asked each time the node is
    /// about to take a task.</summary>
    Group,
}

internal static class Plural
{
    public static string Nodes(int n) => n == 1 ? "1 node" : $"{n} nodes";
}
