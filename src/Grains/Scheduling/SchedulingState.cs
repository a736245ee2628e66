using Orca.Grains.Model;

namespace Orca.Grains.Scheduling;

/// <summary>One node as the scheduler sees it: spec, status, what is allocated on it.</summary>
public sealed class SchedulingNode(NodeSpec spec)
{
    public NodeSpec Spec { get; internal set; } = spec;
    public NodeStatus Status { get; internal set; } = NodeStatus.Ready;
    public NodeAvailability Availability { get; internal set; } = NodeAvailability.Active;
    public Resources Allocated { get; internal set; }
    public int TaskCount { get; internal set; }
    internal HashSet<int>? Ports { get; set; }
    internal HashSet<string> Images { get; } = new(StringComparer.Ordinal);

    /// <summary>The tasks assigned here (for the constraint enforcer and node removal).</summary>
    internal HashSet<string> TaskIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Units of each generic resource kind held by tasks here, and the named units among them.</summary>
    private Dictionary<string, long>? _genericUsed;
    private HashSet<(string Kind, string Name)>? _namesTaken;

    /// <summary>Units of <paramref name="kind"/> not held by any task (0 when the node has none).</summary>
    public long GenericFree(string kind) => Spec.Generic.CountOf(kind) - (_genericUsed?.GetValueOrDefault(kind) ?? 0);

    /// <summary>Takes what the task asks: the given units (a task assigned before), else the first free named units
    /// in the node's order, or a count.</summary>
    internal IReadOnlyList<GenericResource>? Claim(IReadOnlyList<GenericResource>? asks, IReadOnlyList<GenericResource>? given)
    {
        if (asks is not { Count: > 0 } && given is not { Count: > 0 }) return null;
        var claimed = given ?? [.. asks!.Select(Choose)];
        _genericUsed ??= new(StringComparer.Ordinal);
        foreach (var g in claimed)
        {
            _genericUsed[g.Kind] = _genericUsed.GetValueOrDefault(g.Kind) + g.Count;
            foreach (var name in g.Names ?? []) (_namesTaken ??= []).Add((g.Kind, name));
        }
        return claimed;
    }

    private GenericResource Choose(GenericResource ask)
    {
        var pool = Spec.Generic?.FirstOrDefault(g => g.Kind == ask.Kind);
        if (pool?.Names is not { } names) return new GenericResource(ask.Kind, ask.Count);
        var free = names.Where(n => _namesTaken?.Contains((ask.Kind, n)) != true).Take((int)Math.Min(ask.Count, int.MaxValue)).ToList();
        return new GenericResource(ask.Kind, free.Count, free);
    }

    internal void Unclaim(IReadOnlyList<GenericResource>? claimed)
    {
        foreach (var g in claimed ?? [])
        {
            _genericUsed![g.Kind] -= g.Count;
            foreach (var name in g.Names ?? []) _namesTaken!.Remove((g.Kind, name));
        }
    }

    /// <summary>Position in <see cref="SchedulingState.Nodes"/> (nodes sorted by id).</summary>
    public int Index { get; internal set; }

    public string Id => Spec.Id;
    public bool UsesPort(int port) => Ports is not null && Ports.Contains(port);
    public bool HasImage(string image) => Images.Contains(image);
}

/// <summary>A task the scheduler has put on a node; <see cref="Sequence"/> orders assignments by when they were made.</summary>
public sealed record Assignment(TaskRequest Task, SchedulingNode Node, long Sequence, IReadOnlyList<GenericResource>? Generic = null)
{
    public string TaskId => Task.TaskId;
    public string Service => Task.Service;
    public Resources Resources => Task.Resources;
    public IReadOnlyList<int> HostPorts => Task.HostPorts;
}

/// <summary>The scheduler's view of the cluster: nodes sorted by id, what each holds, and an index of tasks per
/// service per node so that a placement does not rescan every node to count a service's tasks.</summary>
public sealed class SchedulingState
{
    private readonly Dictionary<string, SchedulingNode> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Assignment> _assignments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<SchedulingNode, int>> _tasksByService = new(StringComparer.Ordinal);
    private SchedulingNode[] _sorted = [];
    private bool _sortedStale;
    private long _sequence;

    /// <summary>Nodes ordered by id (ordinal), the tie-break order of every placement.</summary>
    public IReadOnlyList<SchedulingNode> Nodes
    {
        get
        {
            if (_sortedStale)
            {
                _sorted = _byId.Values.OrderBy(n => n.Id, StringComparer.Ordinal).ToArray();
                for (int i = 0; i < _sorted.Length; i++) _sorted[i].Index = i;
                _sortedStale = false;
            }
            return _sorted;
        }
    }

    public int AssignmentCount => _assignments.Count;

    public SchedulingNode? Node(string id) => _byId.GetValueOrDefault(id);

    public Assignment? AssignmentOf(string taskId) => _assignments.GetValueOrDefault(taskId);

    /// <summary>Adds a node or updates its spec, status and availability.</summary>
    public SchedulingNode Upsert(NodeInfo info)
    {
        if (!_byId.TryGetValue(info.Id, out var node))
        {
            node = new SchedulingNode(info.Spec);
            _byId.Add(info.Id, node);
            _sortedStale = true;
        }
        node.Spec = info.Spec;
        node.Status = info.Status;
        node.Availability = info.Availability;
        return node;
    }

    /// <summary>Removes a node and every assignment on it.</summary>
    public bool Remove(string nodeId)
    {
        if (!_byId.TryGetValue(nodeId, out var node)) return false;
        foreach (var taskId in node.TaskIds.ToList()) Release(taskId);
        _byId.Remove(nodeId);
        _sortedStale = true;
        return true;
    }

    /// <summary>The tasks on a node, oldest assignment first.</summary>
    public List<Assignment> TasksOn(SchedulingNode node)
    {
        var list = new List<Assignment>(node.TaskIds.Count);
        foreach (var id in node.TaskIds) list.Add(_assignments[id]);
        list.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return list;
    }

    /// <summary>Tasks of <paramref name="service"/> per node (only nodes that hold at least one).</summary>
    public IReadOnlyDictionary<SchedulingNode, int> TasksOf(string service) =>
        _tasksByService.TryGetValue(service, out var m) ? m : EmptyCounts;

    private static readonly Dictionary<SchedulingNode, int> EmptyCounts = new();

    /// <summary>Records a task on a node. Assigning a task that is already assigned moves it.</summary>
    /// <param name="generic">What the task was given when it was placed before (an activation rebuilding its view);
    /// null: choose now.</param>
    public Assignment Assign(TaskRequest task, string nodeId, IReadOnlyList<GenericResource>? generic = null)
    {
        Release(task.TaskId);
        var node = _byId[nodeId];
        var a = new Assignment(task, node, _sequence++, node.Claim(task.Generic, generic));
        _assignments.Add(task.TaskId, a);
        node.TaskIds.Add(task.TaskId);
        node.Allocated += task.Resources;
        node.TaskCount++;
        node.Images.Add(task.Image);
        if (task.HostPorts.Count > 0) (node.Ports ??= []).UnionWith(task.HostPorts);
        if (!_tasksByService.TryGetValue(task.Service, out var perNode)) _tasksByService[task.Service] = perNode = new();
        perNode[node] = perNode.GetValueOrDefault(node) + 1;
        return a;
    }

    /// <summary>Frees what a task held; false when the task was not assigned.</summary>
    public bool Release(string taskId)
    {
        if (!_assignments.Remove(taskId, out var a)) return false;
        var node = a.Node;
        node.TaskIds.Remove(taskId);
        node.Unclaim(a.Generic);
        node.Allocated -= a.Resources;
        node.TaskCount--;
        if (a.HostPorts.Count > 0) node.Ports!.ExceptWith(a.HostPorts);
        var perNode = _tasksByService[a.Service];
        int left = perNode[node] - 1;
        if (left == 0) perNode.Remove(node); else perNode[node] = left;
        if (perNode.Count == 0) _tasksByService.Remove(a.Service);
        return true;
    }
}
