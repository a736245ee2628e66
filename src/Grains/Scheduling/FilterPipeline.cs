using System.Text;
using Orca.Grains.Scheduling.Filters;

namespace Orca.Grains.Scheduling;

/// <summary>The ordered filters for one group, readiness first (SwarmKit's <c>pipeline.go</c>): static filters run once
/// per node per group; dynamic ones run when a node is about to take a task.</summary>
public sealed class FilterPipeline
{
    private static readonly IPlacementFilter Ready = new ReadyFilter(), Active = new ActiveFilter(),
        Cpu = new CpuFilter(), Memory = new MemoryFilter(), Ports = new HostPortFilter();

    private FilterPipeline(IPlacementFilter[] all)
    {
        All = all;
        Static = all.Where(f => f.Scope == FilterScope.Static).ToArray();
        Dynamic = all.Where(f => f.Scope != FilterScope.Static).ToArray();
    }

    public IPlacementFilter[] All { get; }
    public IPlacementFilter[] Static { get; }
    public IPlacementFilter[] Dynamic { get; }

    /// <summary>Every filter name, for messages and for <see cref="FilterSet"/>.</summary>
    public static readonly IReadOnlyList<string> FilterNames = ["ready", "active", "constraint", "spread-label", "cpu", "memory", "generic", "max-per-node", "attribute-limit", "value-cap", "topology-spread", "host-port"];

    public static FilterPipeline For(PlacementRules rules, TaskRequest request, IReadOnlyCollection<string>? disabled = null)
    {
        var filters = new List<IPlacementFilter> { Ready, Active };
        foreach (var p in rules.Predicates) filters.Add(new ConstraintFilter(p));
        foreach (var a in rules.SpreadLevels) filters.Add(new SpreadLabelFilter(a)); // no label, no value to spread over
        if (request.Resources.CpuMillis > 0) filters.Add(Cpu);
        if (request.Resources.MemoryBytes > 0) filters.Add(Memory);
        foreach (var g in request.Generic ?? []) if (g.Count > 0) filters.Add(new GenericResourceFilter(g));
        if (rules.MaxReplicasPerNode > 0) filters.Add(new MaxPerNodeFilter(rules.MaxReplicasPerNode));
        for (int i = 0; i < rules.Limits.Count; i++) filters.Add(new AttributeLimitFilter(i, rules.Limits[i]));
        for (int i = 0; i < rules.Caps.Count; i++) filters.Add(new ValueCapFilter(i, rules.Caps[i]));
        // A node without a topology key is out by the spread-label filter: the key is a spread level.
        for (int i = 0; i < rules.Topology.Count; i++) filters.Add(new TopologySpreadFilter(i, rules.Topology[i]));
        if (request.HostPorts.Count > 0) filters.Add(Ports);
        if (disabled is { Count: > 0 }) filters.RemoveAll(f => disabled.Contains(f.Name));
        return new FilterPipeline(filters.ToArray());
    }

    public static bool Passes(IPlacementFilter[] filters, GroupContext group, SchedulingNode node)
    {
        foreach (var f in filters)
            if (!f.Check(group, node)) return false;
        return true;
    }

    /// <summary>Runs every filter on every node and names, per filter, how many nodes it was the first to reject.</summary>
    public string Explain(GroupContext group)
    {
        var nodes = group.Batch.Nodes;
        if (nodes.Count == 0) return "no suitable node (the cluster has no nodes)";
        var rejected = new int[All.Length];
        foreach (var node in nodes)
        {
            for (int f = 0; f < All.Length; f++)
            {
                if (All[f].Check(group, node)) continue;
                rejected[f]++;
                break;
            }
        }
        var text = new StringBuilder("no suitable node (");
        bool first = true;
        for (int f = 0; f < All.Length; f++)
        {
            if (rejected[f] == 0) continue;
            if (!first) text.Append("; ");
            text.Append(All[f].Explain(rejected[f]));
            first = false;
        }
        if (first) text.Append("every node passed the filters but none was left for this task");
        return text.Append(')').ToString();
    }
}
