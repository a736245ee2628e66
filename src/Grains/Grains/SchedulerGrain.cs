using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Grains.Scheduling;

namespace Orca.Grains.Grains;

/// <summary>
/// Collects pending tasks and places them in batches with <see cref="Placement"/>. New tasks wait
/// <see cref="OrcaOptions.SchedulerBatchDelay"/> to form a batch; tasks no node can take stay pending with their
/// reason published, and are retried when the cluster changes (a node joins or recovers, resources are freed).
/// Its view is in memory: node specs come from the cluster grain, assignments from its own decisions.
/// </summary>
public sealed class SchedulerGrain : Grain, ISchedulerGrain
{
    private readonly SchedulingState _cluster = new();
    private readonly List<TaskRequest> _pending = [];
    private readonly HashSet<string> _pendingIds = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), PlacementRules> _rules = new();
    private readonly Dictionary<string, string> _lastReason = new(StringComparer.Ordinal);
    private readonly GrainAlarm _tick;
    private long _placed, _batches;

    public SchedulerGrain(IGrainContext context) : base(context) => _tick = new GrainAlarm(context, TickAsync);

    /// <summary>Retries of tasks that no node could take wait at least this long, so churn does not rescan the cluster on every event.</summary>
    private TimeSpan RetryDelay => TimeSpan.FromTicks(Math.Max(Context.Options.SchedulerBatchDelay.Ticks, TimeSpan.TicksPerSecond));

    public Task EnqueueAsync(TaskRequest task)
    {
        if (_pendingIds.Contains(task.TaskId) || _cluster.AssignmentOf(task.TaskId) is not null) return Task.CompletedTask;
        if (RulesOf(task) is null) return Task.CompletedTask; // unreadable placement: stays pending, with the reason published
        _pendingIds.Add(task.TaskId);
        _pending.Add(task);
        _tick.RequestWithin(Context.Options.SchedulerBatchDelay);
        return Task.CompletedTask;
    }

    public Task CancelAsync(string taskId)
    {
        if (_pendingIds.Remove(taskId)) _pending.RemoveAll(t => t.TaskId == taskId);
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(string taskId)
    {
        if (_cluster.Release(taskId) && _pending.Count > 0) _tick.RequestWithin(RetryDelay);
        return Task.CompletedTask;
    }

    public Task NodeChangedAsync(NodeInfo node)
    {
        _cluster.Upsert(node);
        foreach (var (task, nodeId) in _waitingForNode.Where(w => w.NodeId == node.Id).ToList())
        {
            _waitingForNode.Remove((task, nodeId));
            if (_cluster.AssignmentOf(task.TaskId) is null) _cluster.Assign(task.TaskId, task.Service, task.Image, nodeId, task.Resources, task.HostPorts);
        }
        if (_pending.Count > 0 && node.Schedulable) _tick.RequestWithin(RetryDelay);
        return Task.CompletedTask;
    }

    /// <summary>Restores that name a node not known yet wait for it (messages between silos may arrive in any order).</summary>
    private readonly List<(TaskRequest Task, string NodeId)> _waitingForNode = [];

    public Task RestoreAsync(TaskRequest task, string nodeId)
    {
        if (_cluster.AssignmentOf(task.TaskId) is not null) return Task.CompletedTask;
        if (_cluster.Node(nodeId) is null) _waitingForNode.Add((task, nodeId));
        else _cluster.Assign(task.TaskId, task.Service, task.Image, nodeId, task.Resources, task.HostPorts);
        return Task.CompletedTask;
    }

    public Task<SchedulerStats> GetStatsAsync() =>
        Task.FromResult(new SchedulerStats(_cluster.Nodes.Count, _cluster.AssignmentCount, _pending.Count, _placed, _batches));

    private async Task TickAsync()
    {
        if (_pending.Count == 0) return;
        _batches++;
        var batch = _pending.ToArray();
        _pending.Clear();
        var result = Placement.Place(_cluster, batch, t => RulesOf(t)!, Context.Options.DisabledFilters);
        result.ApplyTo(_cluster);
        _placed += result.Placed.Count;
        var stillPending = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in result.Unplaced)
        {
            _pending.AddRange(group.Tasks);
            stillPending.Add(group.Service);
            var reason = $"{group.Tasks.Count} pending: {group.Reason}";
            if (_lastReason.GetValueOrDefault(group.Service) == reason) continue;
            _lastReason[group.Service] = reason;
            Context.Events.Publish(new PendingEvent(Now, group.Service, group.Tasks.Count, group.Reason));
        }
        foreach (var service in _lastReason.Keys.Where(s => !stillPending.Contains(s)).ToList())
        {
            _lastReason.Remove(service);
            Context.Events.Publish(new PendingEvent(Now, service, 0, "all tasks placed"));
        }
        _pendingIds.Clear();
        foreach (var t in _pending) _pendingIds.Add(t.TaskId);
        foreach (var (task, nodeId) in result.Placed)
            await GrainFactory.GetGrain<ITaskGrain>(task.TaskId).AssignAsync(nodeId);
    }

    /// <summary>The parsed rules of a service version, or null when they cannot be read (the service grain validates
    /// specs, so this only guards against a spec stored by an older version).</summary>
    private PlacementRules? RulesOf(TaskRequest task)
    {
        var key = (task.Service, task.SpecVersion);
        if (_rules.TryGetValue(key, out var rules)) return rules;
        try
        {
            return _rules[key] = PlacementRules.Parse(task.Placement);
        }
        catch (ConstraintException e)
        {
            Context.Events.Publish(new PendingEvent(Now, task.Service, 1, e.Message));
            return null;
        }
    }
}
