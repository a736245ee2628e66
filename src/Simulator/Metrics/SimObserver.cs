using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Grains.Scheduling;
using Orca.Simulator.Engine;
using Orca.Simulator.Results;

namespace Orca.Simulator.Metrics;

/// <summary>
/// The simulator's event sink: writes every event to events.csv and keeps Orca's observed state (tasks, nodes,
/// services) up to date, so that invariants are checked on every change and expect rows can ask about any moment.
/// </summary>
public sealed partial class SimObserver : IEventSink
{
    private readonly string _rackLabel;

    /// <summary>Where nodes without the rack label are listed (node counts only: rack metrics leave them out).</summary>
    public const string NoRack = "(none)";
    private readonly CsvLineWriter _events;
    private readonly Dictionary<string, ObservedNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ObservedTask> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ObservedService> _services = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, List<ObservedNode>> _racks = new(Results.NaturalOrder.Instance);

    public SimObserver(string rackLabel, TextWriter events, TextWriter timeseries, TextWriter placements, TimeSpan downGrace)
    {
        _rackLabel = rackLabel;
        _events = new CsvLineWriter(events);
        _events.Row("time_s", "kind", "subject", "service", "node", "state", "desired", "detail");
        _timeseries = new CsvLineWriter(timeseries);
        _timeseries.Row("time_s", "scope", "name", "desired", "running", "pending", "nodes_up", "nodes");
        _placements = new CsvLineWriter(placements);
        _placements.Row("at_s", "label", "task", "service", "slot", "node", "rack", "state", "cpu_millis", "memory_bytes");
        _downGrace = downGrace;
    }

    public long EventCount { get; private set; }
    public IReadOnlyDictionary<string, ObservedService> Services => _services;
    public IReadOnlyDictionary<string, ObservedNode> Nodes => _nodes;
    public IReadOnlyDictionary<string, List<ObservedNode>> Racks => _racks;

    private static TimeSpan T(DateTimeOffset t) => SimTimeProvider.Since(t);

    public void Publish(OrcaEvent e)
    {
        EventCount++;
        switch (e)
        {
            case TaskEvent t: OnTask(t); break;
            case NodeEvent n: OnNode(n); break;
            case ServiceEvent s: OnService(s); break;
            case PendingEvent p: OnPending(p); break;
            case DeploymentEvent d: OnDeployment(d); break;
        }
    }

    private void OnNode(NodeEvent e)
    {
        if (!_nodes.TryGetValue(e.Node.Id, out var node))
        {
            var rack = e.Node.Label(_rackLabel) ?? NoRack;
            _nodes[e.Node.Id] = node = new ObservedNode(e.Node, rack);
            if (!_racks.TryGetValue(rack, out var list)) _racks[rack] = list = [];
            list.Add(node);
        }
        if (!node.Spec.SameAs(e.Node) || e.Removed || e.Availability == NodeAvailability.Active && node.Availability != NodeAvailability.Active)
            _respecified.Add((node, e.Time));
        var newRack = e.Node.Label(_rackLabel) ?? NoRack;
        if (newRack != node.Rack)
        {
            _racks[node.Rack].Remove(node);
            if (!_racks.TryGetValue(newRack, out var list)) _racks[newRack] = list = [];
            list.Add(node);
            node.Rack = newRack;
        }
        node.Spec = e.Node;
        node.Removed = e.Removed;
        if (node.Status != e.Status) node.StatusSince = e.Time;
        node.Status = e.Status;
        node.Availability = e.Availability;
        _events.Seconds(T(e.Time)).Field("node").Field(e.Node.Id).Empty().Field(e.Node.Id)
            .Field(e.Status.ToString().ToLowerInvariant()).Field(e.Availability.ToString().ToLowerInvariant()).Field(e.Message).End();
    }

    private ObservedService Service(string name)
    {
        if (!_services.TryGetValue(name, out var s)) _services[name] = s = new ObservedService(name);
        return s;
    }

    private void OnService(ServiceEvent e)
    {
        var s = Service(e.Spec.Name);
        if (s.Spec is null || s.Spec.Placement != e.Spec.Placement) s.Rules = PlacementRules.Parse(e.Spec.Placement);
        s.Spec = e.Spec;
        s.Version = e.Version;
        if (s.Desired != e.Spec.Replicas) s.DesiredChangedAt = e.Time;
        s.Desired = e.Spec.Replicas;
        s.Removed = e.Change == ServiceChange.Removed || (s.Removed && e.Change != ServiceChange.Created);
        if (e.Change is ServiceChange.UpdateStarted) s.Updating = true;
        s.NoteRunningWhileUpdating();
        if (e.Change is ServiceChange.UpdateCompleted) s.Updating = false;
        var change = e.Change.ToString().ToLowerInvariant();
        _events.Seconds(T(e.Time)).Field("service").Field(e.Spec.Name).Field(e.Spec.Name).Empty().Field(change).Empty()
            .Field($"version {e.Version}, replicas {e.Spec.Replicas}").End();
    }

    private void OnDeployment(DeploymentEvent e)
    {
        var d = e.Deployment;
        var s = Service(d.Service);
        if (s.Deployment is null || d.Id >= s.Deployment.Id) s.Deployment = d;
        _events.Seconds(T(e.Time)).Field("deployment").Field(d.Service).Field(d.Service).Empty().Field(Orca.Grains.Reconciliation.Deployments.StateName(d.State)).Empty()
            .Field($"deployment {d.Id}: version {d.FromVersion} to {d.ToVersion}, {d.Updated} updated, {d.Healthy} healthy, {d.Failed} failed; {d.Message}").End();
    }

    private void OnPending(PendingEvent e)
    {
        var s = Service(e.Service);
        s.PendingReason = e.Count > 0 ? e.Reason : null;
        _events.Seconds(T(e.Time)).Field("pending").Field(e.Service).Field(e.Service).Empty().Field(e.Count).Empty().Field(e.Reason).End();
    }

    private void OnTask(TaskEvent e)
    {
        var svc = Service(e.Service);
        bool known = _tasks.TryGetValue(e.TaskId, out var t);
        if (!known)
        {
            _tasks[e.TaskId] = t = new ObservedTask(e.TaskId, svc, e.Slot);
            if (svc.LastEndPerSlot.Remove(e.Slot, out var last) && last is TaskState.Complete or TaskState.Failed) svc.Restarts++;
        }
        bool wasHolding = known && t!.State.HoldsNode(), wasRunning = known && t!.CountsRunning;
        if (known) Withdraw(t!);
        t!.State = e.State;
        t.Desired = e.Desired;
        t.Resources = e.Resources;
        t.Generic = e.Generic;
        t.Node = e.Node is null ? null : _nodes.GetValueOrDefault(e.Node);
        Contribute(t);
        var now = T(e.Time);
        if (!wasHolding && t.State.HoldsNode()) CheckCapacity(now, t);
        if (!wasRunning && t.CountsRunning) CheckRunningTask(now, t);
        if (wasRunning != t.CountsRunning) RunningChanged(now, svc);
        if (e.State.IsTerminal())
        {
            _tasks.Remove(e.TaskId);
            svc.LastEndPerSlot[e.Slot] = e.State;
        }
        _events.Seconds(now).Field("task").Field(e.TaskId).Field(e.Service).Field(e.Node).Field(e.State.Lower())
            .Field(e.Desired == DesiredTaskState.Running ? "running" : "shutdown").Field(e.Message).End();
    }

    private static void Withdraw(ObservedTask t)
    {
        var svc = t.Service;
        if (t.CountsRunning)
        {
            svc.Running--;
            svc.RunningPerSlot[t.Slot]--;
        }
        if (t.State is TaskState.New or TaskState.Pending) svc.Pending--;
        if (t.State.HoldsNode() && t.Node is { } node)
        {
            node.CpuUsed -= t.Resources.CpuMillis;
            node.MemoryUsed -= t.Resources.MemoryBytes;
            foreach (var g in t.Generic ?? []) node.GenericUsed[g.Kind] -= g.Count;
            node.Holding--;
            if (t.State == TaskState.Running) node.Running--;
            if (--svc.Holding[node] == 0) svc.Holding.Remove(node);
        }
    }

    private static void Contribute(ObservedTask t)
    {
        var svc = t.Service;
        if (t.CountsRunning)
        {
            svc.Running++;
            svc.RunningPerSlot[t.Slot] = svc.RunningPerSlot.GetValueOrDefault(t.Slot) + 1;
        }
        if (t.State is TaskState.New or TaskState.Pending) svc.Pending++;
        if (t.State.HoldsNode() && t.Node is { } node)
        {
            node.CpuUsed += t.Resources.CpuMillis;
            node.MemoryUsed += t.Resources.MemoryBytes;
            foreach (var g in t.Generic ?? []) node.GenericUsed[g.Kind] = node.GenericUsed.GetValueOrDefault(g.Kind) + g.Count;
            node.Holding++;
            if (t.State == TaskState.Running) node.Running++;
            svc.Holding[node] = svc.Holding.GetValueOrDefault(node) + 1;
        }
    }

    /// <summary>Running tasks (of services still wanted) by rack, for one service.</summary>
    public Dictionary<string, int> RunningPerRack(ObservedService svc)
    {
        var perRack = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in _tasks.Values)
            if (t.Service == svc && t.CountsRunning && t.Node is { } n) perRack[n.Rack] = perRack.GetValueOrDefault(n.Rack) + 1;
        return perRack;
    }

    /// <summary>The task has not ended, as far as Orca has said.</summary>
    public bool IsActive(string taskId) => _tasks.ContainsKey(taskId);

    /// <summary>Tasks Orca counts as running, by node id.</summary>
    public Dictionary<string, List<string>> RunningByNode()
    {
        var byNode = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var t in _tasks.Values)
        {
            if (t.State != TaskState.Running || t.Node is null) continue;
            if (!byNode.TryGetValue(t.Node.Spec.Id, out var list)) byNode[t.Node.Spec.Id] = list = [];
            list.Add(t.Id);
        }
        return byNode;
    }

    public bool IsUpdating(string service) => _services.TryGetValue(service, out var s) && s.Updating;

    public void Flush()
    {
        _events.Dispose();
        _timeseries.Dispose();
        _placements.Dispose();
    }
}
