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
        return true;
    }
}
