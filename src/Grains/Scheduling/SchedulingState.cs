using Orca.Grains.Model;

namespace Orca.Grains.Scheduling;

/// <summary>A task the scheduler has put on a node; <see cref="Sequence"/> orders assignments by when they were made.</summary>
public sealed record Assignment(TaskRequest Task, SchedulingNode Node, long Sequence, IReadOnlyList<GenericResource>? Generic = null)
{
    public string TaskId => Task.TaskId;
    public string Service => Task.Service;
    public Resources Resources => Task.Resources;
    public IReadOnlyList<int> HostPorts => Task.HostPorts;
}

/// <summary>The scheduler's view of the cluster: nodes sorted by id, what each holds, and an index of tasks per
/// service per node so that a placement does not rescan every node to count a service's tasks. Every change is
/// recorded in a log (the node it touched) so that the spread trees kept across batches (<see cref="Trees"/>) catch
/// up on what changed instead of looking at every node again; a change to the set of nodes or to a node's spec
/// starts a new <see cref="Epoch"/>, after which each tree is built again when next used.</summary>
public sealed class SchedulingState
{
    private readonly List<SchedulingNode> _changes = [];
    private long _changesBase;
    private readonly Dictionary<string, SchedulingNode> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Assignment> _assignments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<SchedulingNode, int>> _tasksByService = new(StringComparer.Ordinal);
    private SchedulingNode[] _sorted = [];
    private bool _sortedStale;
    private long _sequence;

    /// <summary>Nodes ordered by id (ordinal), the tie-break order of every placement.</summary>
    public IReadOnlyList<SchedulingNode> Nodes => NodeArray;

    /// <summary><see cref="Nodes"/> as the array itself: replaced, never changed, when nodes come or go.</summary>
    internal SchedulingNode[] NodeArray
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

    /// <summary>Bumped when nodes are added or removed, or a node's spec changes: node indexes and spread levels may move.</summary>
    internal long Epoch { get; private set; }

    /// <summary>Position of the next change in the log.</summary>
    internal long LogPosition => _changesBase + _changes.Count;

    /// <summary>The nodes changed since <paramref name="position"/> (a node may repeat); null when the log no longer
    /// reaches back that far.</summary>
    internal List<SchedulingNode>? ChangesSince(long position, out int from)
    {
        from = (int)(position - _changesBase);
        return from < 0 ? null : _changes;
    }

    /// <summary>The spread trees kept across batches.</summary>
    internal SpreadTreeCache Trees { get; } = new();

    /// <summary>False: every group builds its spread tree afresh, as before trees were kept (the reference the
    /// kept trees are property-tested against).</summary>
    public bool KeepsTrees { get; init; } = true;

    private void Changed(SchedulingNode node)
    {
        // A log longer than the cluster is cheaper to forget than to replay: the trees are built again.
        if (_changes.Count >= Math.Max(4096, 2 * _byId.Count)) NewEpoch();
        _changes.Add(node);
    }

    private readonly Dictionary<string, SpreadLayout> _layouts = new(StringComparer.Ordinal);

    /// <summary>The layout for rules with these constraints and spread levels, made once per set of node specs.</summary>
    internal SpreadLayout LayoutFor(PlacementRules rules)
    {
        var key = rules.LayoutKey ??= SpreadLayout.KeyOf(rules);
        if (_layouts.TryGetValue(key, out var layout)) return layout;
        if (_layouts.Count >= 256) _layouts.Clear(); // rules that avoid nodes for a while each have their own
        return _layouts[key] = new SpreadLayout(NodeArray, rules);
    }

    /// <summary>Nodes came, went or changed their specs: indexes, labels and so every layout may have moved.</summary>
    private void NodesChanged()
    {
        _layouts.Clear();
        NewEpoch();
    }

    private void NewEpoch()
    {
        Epoch++;
        _changesBase += _changes.Count;
        _changes.Clear();
    }

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
            NodesChanged();
        }
        else if (!ReferenceEquals(node.Spec, info.Spec) && !node.Spec.SameAs(info.Spec)) NodesChanged();
        else if (node.Status != info.Status || node.Availability != info.Availability) Changed(node);
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
        NodesChanged();
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

    /// <summary>Tasks of <paramref name="service"/> per node (only nodes that hold at least one), as a copy to count
    /// a batch's placements into.</summary>
    internal Dictionary<SchedulingNode, int> CopyTasksOf(string service) =>
        _tasksByService.TryGetValue(service, out var m) ? new(m) : new();

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
        Changed(node);
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
        Changed(node);
        return true;
    }
}
