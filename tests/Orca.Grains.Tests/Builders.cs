using Orca.Grains.Model;
using Orca.Grains.Scheduling;

namespace Orca.Grains.Tests;

/// <summary>Small builders for clusters and requests, in the style of the Kubernetes scheduler's tests.</summary>
internal static class Builders
{
    public static NodeSpec Node(string id, string rack = "r1", long cpu = 4000, long memGi = 8, NodeRole role = NodeRole.Worker, params (string, string)[] labels)
    {
        var l = new Dictionary<string, string> { ["rack"] = rack };
        foreach (var (k, v) in labels) l[k] = v;
        return new NodeSpec(id, new Resources(cpu, memGi << 30), l, role);
    }

    public static SchedulingState Cluster(params NodeSpec[] nodes)
    {
        var state = new SchedulingState();
        foreach (var n in nodes) state.Upsert(new NodeInfo(n, NodeStatus.Ready, NodeAvailability.Active, DateTimeOffset.UnixEpoch));
        return state;
    }

    /// <summary>nodesPerRack nodes in each of racks racks: n01.., racks r1...</summary>
    public static SchedulingState Racks(int racks, int nodesPerRack, long cpu = 4000, long memGi = 8)
    {
        var nodes = new List<NodeSpec>();
        for (int r = 1; r <= racks; r++)
            for (int i = 0; i < nodesPerRack; i++)
                nodes.Add(Node($"n{(r - 1) * nodesPerRack + i + 1:D3}", $"r{r}", cpu, memGi, labels: ("zone", $"z{(r - 1) % 2 + 1}")));
        return Cluster(nodes.ToArray());
    }

    public static List<TaskRequest> Tasks(string service, int count, long cpu = 100, long memMi = 64, PlacementSpec? placement = null,
        int version = 1, int[]? ports = null) =>
        Enumerable.Range(1, count).Select(i => new TaskRequest($"{service}.{i}.0", service, version, "img:1",
            new Resources(cpu, memMi << 20), ports ?? [], placement ?? PlacementSpec.None)).ToList();

    /// <summary>One task of image img:1 asking <paramref name="cpu"/> millicores and <paramref name="memory"/> bytes.</summary>
    public static TaskRequest Task(string id, string service, long cpu, long memory, PlacementSpec? placement = null) =>
        new(id, service, 1, "img:1", new Resources(cpu, memory), [], placement ?? PlacementSpec.None);

    public static PlacementSpec Rules(string[]? constraints = null, string[]? spread = null, int maxPerNode = 0,
        SchedulingStrategy strategy = SchedulingStrategy.Spread) => new(constraints ?? [], spread ?? [], maxPerNode, strategy);

    public static PlacementResult Place(SchedulingState state, IReadOnlyList<TaskRequest> tasks)
    {
        var result = Placement.Place(state, tasks, t => PlacementRules.Parse(t.Placement));
        result.ApplyTo(state);
        return result;
    }

    public static Dictionary<string, int> PerRack(SchedulingState state, PlacementResult result) =>
        result.Placed.GroupBy(p => state.Node(p.NodeId)!.Spec.Label("rack")!).ToDictionary(g => g.Key, g => g.Count());
}
