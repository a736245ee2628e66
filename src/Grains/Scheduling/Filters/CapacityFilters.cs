using Orca.Grains.Model;

namespace Orca.Grains.Scheduling.Filters;

public sealed class CpuFilter : IPlacementFilter
{
    public string Name => "cpu";
    public FilterScope Scope => FilterScope.Node;
    public bool Check(GroupContext group, SchedulingNode node) =>
        group.CpuUsed(node) + group.Request.Resources.CpuMillis <= node.Spec.Capacity.CpuMillis;
    public string Explain(int nodes) => $"insufficient cpu on {Plural.Nodes(nodes)}";
}

public sealed class MemoryFilter : IPlacementFilter
{
    public string Name => "memory";
    public FilterScope Scope => FilterScope.Node;
    public bool Check(GroupContext group, SchedulingNode node) =>
        group.MemoryUsed(node) + group.Request.Resources.MemoryBytes <= node.Spec.Capacity.MemoryBytes;
    public string Explain(int nodes) => $"insufficient memory on {Plural.Nodes(nodes)}";
}

/// <summary>Swarm's generic resources: the node has enough free units of the kind the task asks for.</summary>
public sealed class GenericResourceFilter(GenericResource ask) : IPlacementFilter
{
    public string Name => "generic";
    public FilterScope Scope => FilterScope.Node;
    public bool Check(GroupContext group, SchedulingNode node) => group.GenericFree(node, ask.Kind) >= ask.Count;
    public string Explain(int nodes) => $"insufficient {ask.Kind} on {Plural.Nodes(nodes)}";
}

/// <summary>Swarm's <c>--replicas-max-per-node</c>.</summary>
public sealed class MaxPerNodeFilter(int max) : IPlacementFilter
{
    public string Name => "max-per-node";
    public FilterScope Scope => FilterScope.Node;
    public bool Check(GroupContext group, SchedulingNode node) => group.ServiceCount(node) < max;
    public string Explain(int nodes) => $"max replicas per node ({max}) reached on {Plural.Nodes(nodes)}";
}

/// <summary>Marathon <c>UNIQUE</c> / <c>MAX_PER:n</c>: a node whose attribute value already holds the limit, or that
/// lacks the attribute, is out.</summary>
public sealed class AttributeLimitFilter(int limitIndex, AttributeLimit limit) : IPlacementFilter
{
    public string Name => "attribute-limit";
    public FilterScope Scope => FilterScope.Group;

    public bool Check(GroupContext group, SchedulingNode node)
    {
        var value = limit.Attribute.ValueOf(node.Spec);
        return value is not null && group.LimitCounts[limitIndex].GetValueOrDefault(value) < limit.MaxPerValue;
    }

    public string Explain(int nodes) => $"{limit.Text} full or attribute missing on {Plural.Nodes(nodes)}";
}

/// <summary>Host ports published by the task must be free on the node.</summary>
public sealed class HostPortFilter : IPlacementFilter
{
    public string Name => "host-port";
    public FilterScope Scope => FilterScope.Node;

    public bool Check(GroupContext group, SchedulingNode node)
    {
        foreach (var port in group.Request.HostPorts)
            if (group.PortTaken(node, port)) return false;
        return true;
    }

    public string Explain(int nodes) => $"host port in use on {Plural.Nodes(nodes)}";
}
