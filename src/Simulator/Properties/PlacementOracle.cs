using Orca.Grains.Model;
using Orca.Grains.Scheduling;

namespace Orca.Simulator.Properties;

/// <summary>
/// Whether a node can take one more task, written from the definitions and not from the scheduler's filters, so
/// that the properties check the scheduler against something it does not share code with (only the parsed
/// constraints).
/// </summary>
public static class PlacementOracle
{
    /// <param name="placed">(task, node id) pairs placed so far for every service.</param>
    public static bool CanHold(SchedulingNode node, TaskRequest task, PlacementRules rules, IReadOnlyList<(TaskRequest Task, string NodeId)> placed,
        IReadOnlyDictionary<string, SchedulingNode> nodes)
    {
        if (node.Status != Grains.Model.NodeStatus.Ready || node.Availability != Grains.Model.NodeAvailability.Active) return false;
        if (!rules.Predicates.All(p => p.Matches(node.Spec))) return false;
        var cap = node.Spec.Capacity;
        if (node.Allocated.CpuMillis + task.Resources.CpuMillis > cap.CpuMillis) return false;
        if (node.Allocated.MemoryBytes + task.Resources.MemoryBytes > cap.MemoryBytes) return false;
        foreach (var ask in task.Generic ?? [])
        {
            long held = placed.Where(p => p.NodeId == node.Id).Sum(p => p.Task.Generic.CountOf(ask.Kind));
            if (held + ask.Count > node.Spec.Generic.CountOf(ask.Kind)) return false;
        }
        var mine = placed.Where(p => p.Task.Service == task.Service).ToList();
        if (rules.MaxReplicasPerNode > 0 && mine.Count(p => p.NodeId == node.Id) >= rules.MaxReplicasPerNode) return false;
        foreach (var limit in rules.Limits)
        {
            var value = limit.Attribute.ValueOf(node.Spec);
            if (value is null) return false;
            if (mine.Count(p => limit.Attribute.ValueOf(nodes[p.NodeId].Spec) == value) >= limit.MaxPerValue) return false;
        }
        if (rules.SpreadLevels.Any(level => level.ValueOf(node.Spec) is null)) return false; // no value to spread over
        foreach (var valueCap in rules.Caps)
        {
            var value = valueCap.Attribute.ValueOf(node.Spec);
            if (value is null) return false;
            var used = mine.Select(p => valueCap.Attribute.ValueOf(nodes[p.NodeId].Spec)).Distinct().ToList();
            if (used.Count >= valueCap.MaxValues && !used.Contains(value)) return false;
        }
        foreach (var port in task.HostPorts)
            if (placed.Any(p => p.NodeId == node.Id && p.Task.HostPorts.Contains(port))) return false;
        return BrokenSpread(node, task, rules, placed, nodes) is null;
    }

    /// <summary>The hard topology spread that taking the task on the node would break, if any (Kubernetes' definition:
    /// domains are the key's values on the eligible nodes, those ready, active, matching the constraints and carrying
    /// every spread and topology key; the task's domain, counting it, may exceed the emptiest by at most the max skew,
    /// the emptiest counting as 0 while there are fewer domains than min-domains).</summary>
    public static TopologySpread? BrokenSpread(SchedulingNode node, TaskRequest task, PlacementRules rules,
        IReadOnlyList<(TaskRequest Task, string NodeId)> placed, IReadOnlyDictionary<string, SchedulingNode> nodes)
    {
        if (rules.Topology.Count == 0) return null;
        bool Eligible(SchedulingNode n) => n.Status == NodeStatus.Ready && n.Availability == NodeAvailability.Active
            && rules.Predicates.All(p => p.Matches(n.Spec)) && rules.SpreadLevels.All(l => l.ValueOf(n.Spec) is not null)
            && rules.Topology.All(t => t.Key.ValueOf(n.Spec) is not null);
        foreach (var spread in rules.Topology)
        {
            var value = spread.Key.ValueOf(node.Spec);
            if (value is null) return spread;
            var domains = nodes.Values.Where(Eligible).Select(n => spread.Key.ValueOf(n.Spec)!).ToHashSet();
            if (!domains.Contains(value)) return spread;
            var counts = domains.ToDictionary(d => d, _ => 0);
            foreach (var (t, id) in placed)
                if (t.Service == task.Service && spread.Key.ValueOf(nodes[id].Spec) is { } v && counts.ContainsKey(v)) counts[v]++;
            int min = domains.Count < spread.MinDomains ? 0 : counts.Values.Min();
            if (counts[value] + 1 - min > spread.MaxSkew) return spread;
        }
        return null;
    }
}
