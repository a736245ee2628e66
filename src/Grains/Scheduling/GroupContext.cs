using Orca.Grains.Model;

namespace Orca.Grains.Scheduling;

/// <summary>Everything a filter needs about the group of identical tasks being placed: the request, and the
/// batch's view of the nodes (what the state holds plus what this batch has placed so far).</summary>
public sealed class GroupContext
{
    internal GroupContext(BatchOverlay batch, TaskRequest request, PlacementRules rules)
    {
        Batch = batch;
        Request = request;
        Rules = rules;
        ServiceCount = batch.CountsFor(request.Service);
        LimitCounts = rules.Limits.Select(l => CountsPerValue(l.Attribute)).ToArray();
        CapValues = new HashSet<string>?[rules.Caps.Count];
        Topology = new TopologyCounts?[rules.Topology.Count];
    }

    /// <summary>Tasks of this service per value of <paramref name="attribute"/>; values holding none are absent.</summary>
    internal Dictionary<string, int> CountsPerValue(NodeAttribute attribute)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in Batch.Nodes)
        {
            int n = ServiceCount[node.Index];
            if (n == 0) continue;
            var value = attribute.ValueOf(node.Spec);
            if (value is not null) counts[value] = counts.GetValueOrDefault(value) + n;
        }
        return counts;
    }

    internal BatchOverlay Batch { get; }
    public TaskRequest Request { get; }
    public PlacementRules Rules { get; }

    /// <summary>Tasks of this service per node, by node index.</summary>
    public int[] ServiceCount { get; }

    /// <summary>Per attribute limit: tasks of this service per attribute value.</summary>
    public Dictionary<string, int>[] LimitCounts { get; }

    /// <summary>Per value cap (GROUP_BY:N, CLUSTER): the values this group may use, once chosen (null before).</summary>
    public HashSet<string>?[] CapValues { get; }

    /// <summary>Per hard topology spread: the service's tasks per eligible domain (null before the static pass).</summary>
    internal TopologyCounts?[] Topology { get; }

    public long CpuUsed(SchedulingNode n) => Batch.CpuUsed[n.Index];
    public long MemoryUsed(SchedulingNode n) => Batch.MemoryUsed[n.Index];
    public bool PortTaken(SchedulingNode n, int port) => n.UsesPort(port) || Batch.PortTaken(n.Index, port);

    /// <summary>Units of a generic resource kind free on the node, this batch's placements taken off.</summary>
    public long GenericFree(SchedulingNode n, string kind) => n.GenericFree(kind) - Batch.GenericPlaced(n.Index, kind);

    /// <summary>Tasks of every service on the node, this batch's included.</summary>
    public int TaskLoad(SchedulingNode n) => n.TaskCount + Batch.TasksPlaced[n.Index];

    /// <summary>The node has the group's image, or will once this batch's earlier tasks start there.</summary>
    public bool HasImage(SchedulingNode n) => n.HasImage(Request.Image) || Batch.ImagePlaced(n.Index, Request.Image);

    /// <summary>Records one task of the group on <paramref name="n"/>.</summary>
    internal void Take(SchedulingNode n)
    {
        Batch.Take(n, Request);
        ServiceCount[n.Index]++;
        for (int l = 0; l < LimitCounts.Length; l++)
        {
            var value = Rules.Limits[l].Attribute.ValueOf(n.Spec);
            if (value is not null) LimitCounts[l][value] = LimitCounts[l].GetValueOrDefault(value) + 1;
        }
        for (int t = 0; t < Topology.Length; t++) Topology[t]?.Took(Rules.Topology[t].Key.ValueOf(n.Spec));
    }
}

/// <summary>Resources, ports and per-service counts as a batch changes them, over the unchanged state.</summary>
internal sealed class BatchOverlay
{
    private readonly SchedulingState _state;
    private readonly Dictionary<string, List<int>> _placedByService = new(StringComparer.Ordinal);
    private Dictionary<int, List<int>>? _ports;
    private Dictionary<(int Node, string Kind), long>? _generic;
    private readonly HashSet<(int Node, string Image)> _images = [];
    private readonly int[] _countScratch;

    public BatchOverlay(SchedulingState state)
    {
        _state = state;
        Nodes = state.Nodes;
        CpuUsed = new long[Nodes.Count];
        MemoryUsed = new long[Nodes.Count];
        for (int i = 0; i < Nodes.Count; i++)
        {
            CpuUsed[i] = Nodes[i].Allocated.CpuMillis;
            MemoryUsed[i] = Nodes[i].Allocated.MemoryBytes;
        }
        _countScratch = new int[Nodes.Count];
        TasksPlaced = new int[Nodes.Count];
    }

    /// <summary>Tasks this batch has placed per node index, of every service.</summary>
    public int[] TasksPlaced { get; }

    public IReadOnlyList<SchedulingNode> Nodes { get; }
    public long[] CpuUsed { get; }
    public long[] MemoryUsed { get; }

    /// <summary>Tasks of <paramref name="service"/> per node index, in a scratch array reused by each group.</summary>
    public int[] CountsFor(string service)
    {
        Array.Clear(_countScratch);
        foreach (var (node, n) in _state.TasksOf(service)) _countScratch[node.Index] = n;
        if (_placedByService.TryGetValue(service, out var placed))
            foreach (var i in placed) _countScratch[i]++;
        return _countScratch;
    }

    public bool PortTaken(int node, int port) => _ports is not null && _ports.TryGetValue(node, out var p) && p.Contains(port);

    public bool ImagePlaced(int node, string image) => _images.Contains((node, image));

    public long GenericPlaced(int node, string kind) => _generic?.GetValueOrDefault((node, kind)) ?? 0;

    public void Take(SchedulingNode n, TaskRequest request)
    {
        TasksPlaced[n.Index]++;
        CpuUsed[n.Index] += request.Resources.CpuMillis;
        MemoryUsed[n.Index] += request.Resources.MemoryBytes;
        if (!_placedByService.TryGetValue(request.Service, out var placed)) _placedByService[request.Service] = placed = [];
        placed.Add(n.Index);
        _images.Add((n.Index, request.Image));
        if (request.Generic is { } asks)
        {
            _generic ??= new();
            foreach (var g in asks) _generic[(n.Index, g.Kind)] = GenericPlaced(n.Index, g.Kind) + g.Count;
        }
        if (request.HostPorts.Count == 0) return;
        _ports ??= new();
        if (!_ports.TryGetValue(n.Index, out var ports)) _ports[n.Index] = ports = [];
        ports.AddRange(request.HostPorts);
    }
}
