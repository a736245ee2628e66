using Orca.Grains.Model;

namespace Orca.Grains.Scheduling;

/// <summary>Everything a filter needs about the group of identical tasks being placed: the request, and the
/// batch's view of the nodes (what the state holds plus what this batch has placed so far).</summary>
public sealed class GroupContext
{
    private readonly Dictionary<SchedulingNode, int> _serviceCounts;

    internal GroupContext(BatchOverlay batch, TaskRequest request, PlacementRules rules)
    {
        Batch = batch;
        Request = request;
        Rules = rules;
        _serviceCounts = batch.CountsFor(request.Service);
        LimitCounts = rules.Limits.Select(l => CountsPerValue(l.Attribute)).ToArray();
        CapValues = new HashSet<string>?[rules.Caps.Count];
        Topology = new TopologyCounts?[rules.Topology.Count];
    }

    /// <summary>Tasks of this service per value of <paramref name="attribute"/>; values holding none are absent.
    /// Looks only at the nodes holding the service's tasks.</summary>
    internal Dictionary<string, int> CountsPerValue(NodeAttribute attribute)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (node, n) in _serviceCounts)
        {
            var value = attribute.ValueOf(node.Spec);
            if (value is not null) counts[value] = counts.GetValueOrDefault(value) + n;
        }
        return counts;
    }

    internal BatchOverlay Batch { get; }
    public TaskRequest Request { get; }
    public PlacementRules Rules { get; }

    /// <summary>Tasks of this service on the node, this batch's included.</summary>
    public int ServiceCount(SchedulingNode n) => _serviceCounts.GetValueOrDefault(n);

    /// <summary>Per attribute limit: tasks of this service per attribute value.</summary>
    public Dictionary<string, int>[] LimitCounts { get; }

    /// <summary>Per value cap (GROUP_BY:N, CLUSTER): the values this group may use, once chosen (null before).</summary>
    public HashSet<string>?[] CapValues { get; }

    /// <summary>Per hard topology spread: the service's tasks per eligible domain (null before the static pass).</summary>
    internal TopologyCounts?[] Topology { get; }

    public long CpuUsed(SchedulingNode n) => n.Allocated.CpuMillis + (Batch.Delta(n)?.Cpu ?? 0);
    public long MemoryUsed(SchedulingNode n) => n.Allocated.MemoryBytes + (Batch.Delta(n)?.Memory ?? 0);
    public bool PortTaken(SchedulingNode n, int port) => n.UsesPort(port) || Batch.Delta(n)?.Ports?.Contains(port) == true;

    /// <summary>Units of a generic resource kind free on the node, this batch's placements taken off.</summary>
    public long GenericFree(SchedulingNode n, string kind)
    {
        long free = n.GenericFree(kind);
        if (Batch.Delta(n)?.Generic is { } placed)
            foreach (var (k, count) in placed)
                if (k == kind) free -= count;
        return free;
    }

    /// <summary>Tasks of every service on the node, this batch's included.</summary>
    public int TaskLoad(SchedulingNode n) => n.TaskCount + (Batch.Delta(n)?.Tasks ?? 0);

    /// <summary>The node has the group's image, or will once this batch's earlier tasks start there.</summary>
    public bool HasImage(SchedulingNode n) => n.HasImage(Request.Image) || Batch.Delta(n)?.HasImage(Request.Image) == true;

    /// <summary>Records one task of the group on <paramref name="n"/>.</summary>
    internal void Take(SchedulingNode n)
    {
        Batch.Take(n, Request);
        _serviceCounts[n] = _serviceCounts.GetValueOrDefault(n) + 1;
        for (int l = 0; l < LimitCounts.Length; l++)
        {
            var value = Rules.Limits[l].Attribute.ValueOf(n.Spec);
            if (value is not null) LimitCounts[l][value] = LimitCounts[l].GetValueOrDefault(value) + 1;
        }
        for (int t = 0; t < Topology.Length; t++) Topology[t]?.Took(Rules.Topology[t].Key.ValueOf(n.Spec));
    }
}

/// <summary>Resources, ports and per-service counts as a batch changes them, over the unchanged state. What the
/// batch puts on a node is kept on the node itself under this batch's stamp, so the batch costs nothing on the
/// nodes it does not touch (no arrays over the cluster).</summary>
internal sealed class BatchOverlay(SchedulingState state)
{
    private static long s_stamps;
    private readonly long _stamp = Interlocked.Increment(ref s_stamps);
    private readonly Dictionary<string, List<SchedulingNode>> _placedByService = new(StringComparer.Ordinal);

    public SchedulingState State { get; } = state;
    public IReadOnlyList<SchedulingNode> Nodes => State.Nodes;

    /// <summary>The nodes this batch has placed a task on, in the order it first did (a node once).</summary>
    public List<SchedulingNode> Touched { get; } = [];

    /// <summary>What this batch has put on the node; null when nothing.</summary>
    public NodeBatchDelta? Delta(SchedulingNode n) => n.BatchDelta is { } d && d.Stamp == _stamp ? d : null;

    /// <summary>Tasks of <paramref name="service"/> per node, this batch's included: a copy the group counts into.</summary>
    public Dictionary<SchedulingNode, int> CountsFor(string service)
    {
        var counts = State.CopyTasksOf(service);
        if (_placedByService.TryGetValue(service, out var placed))
            foreach (var n in placed) counts[n] = counts.GetValueOrDefault(n) + 1;
        return counts;
    }

    public void Take(SchedulingNode n, TaskRequest request)
    {
        var d = Delta(n);
        if (d is null)
        {
            d = n.BatchDelta ??= new NodeBatchDelta();
            d.Reset(_stamp);
            Touched.Add(n);
        }
        d.Tasks++;
        d.Cpu += request.Resources.CpuMillis;
        d.Memory += request.Resources.MemoryBytes;
        if (!_placedByService.TryGetValue(request.Service, out var placed)) _placedByService[request.Service] = placed = [];
        placed.Add(n);
        d.AddImage(request.Image);
        foreach (var g in request.Generic ?? []) (d.Generic ??= []).Add((g.Kind, g.Count));
        if (request.HostPorts.Count > 0) (d.Ports ??= []).AddRange(request.HostPorts);
    }
}
