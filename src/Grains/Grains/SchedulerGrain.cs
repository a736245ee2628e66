using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Grains.Scheduling;
using Orleans;
using TaskRequest = Orca.Grains.Scheduling.TaskRequest;
using Orleans.Runtime;

namespace Orca.Grains.Grains;

/// <summary>
/// Collects pending tasks and places them in batches with <see cref="Placement"/>. New tasks wait
/// <see cref="OrcaOptions.SchedulerBatchDelay"/> to form a batch; tasks no node can take stay pending with their
/// reason published, and are retried when the cluster changes (a node joins or recovers, resources are freed).
/// Its view is in memory. An activation builds it before it takes any call: the nodes from the cluster grain, the
/// live tasks (placed or waiting) from every service; afterwards it follows changes through one-way notifications.
/// </summary>
public sealed class SchedulerGrain : Grain, ISchedulerGrain
{
    private readonly SchedulingState _cluster = new();
    private readonly List<TaskRequest> _pending = [];
    private readonly HashSet<string> _pendingIds = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int), PlacementRules> _rules = new();
    private readonly Dictionary<string, string> _lastReason = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly IEventSink _events;
    private readonly OrcaOptions _options;
    private readonly FilterSet _filters;
    private readonly OrcaMetrics _metrics;
    private long _reportedPending;
    private readonly GrainAlarm _tick;
    private long _placed, _batches;
    private readonly NodeAvoidance _avoidance = new();

    public SchedulerGrain(IGrainContext context, IGrainRuntime runtime, TimeProvider time, IEventSink events, OrcaOptions options,
        FilterSet filters, OrcaMetrics metrics) : base(context, runtime)
    {
        _metrics = metrics;
        _filters = filters;
        _time = time;
        _events = events;
        _options = options;
        _tick = new GrainAlarm(this, time, TickAsync);
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Retries of tasks that no node could take wait at least this long, so churn does not rescan the cluster on every event.</summary>
    private TimeSpan RetryDelay => TimeSpan.FromTicks(Math.Max(_options.SchedulerBatchDelay.Ticks, TimeSpan.TicksPerSecond));

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var cluster = GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key);
        foreach (var node in await cluster.ListNodesAsync()) _cluster.Upsert(node);
        foreach (var service in await cluster.ListServicesAsync())
            foreach (var (task, node, generic) in await GrainFactory.GetGrain<IServiceGrain>(service).ListPlacementsAsync())
            {
                if (node is not null && _cluster.Node(node) is not null) _cluster.Assign(task, node, generic);
                else if (node is null) Add(task);
            }
        // A node change whose message was lost with the silo of the last activation is enforced now.
        foreach (var node in _cluster.Nodes) await EnforceAsync(node);
    }

    public async Task EnqueueAsync(TaskRequest task)
    {
        if (_pendingIds.Contains(task.TaskId)) return;
        if (_cluster.AssignmentOf(task.TaskId) is { } node)
        {
            // Placed already, yet the task still asks: the assignment was lost (its grain's silo died), so say it again.
            await GrainFactory.GetGrain<ITaskGrain>(task.TaskId).AssignAsync(node.Node.Id, node.Generic);
            return;
        }
        Add(task);
    }

    private void Add(TaskRequest task)
    {
        if (RulesOf(task) is null) return; // unreadable placement: stays pending, with the reason published
        if (!_pendingIds.Add(task.TaskId)) return;
        _pending.Add(task);
        ReportPending();
        _tick.RequestWithin(_options.SchedulerBatchDelay);
    }

    public Task CancelAsync(string taskId)
    {
        if (_pendingIds.Remove(taskId)) _pending.RemoveAll(t => t.TaskId == taskId);
        ReportPending();
        return Task.CompletedTask;
    }

    public Task TaskFailedAsync(string taskId)
    {
        if (_cluster.AssignmentOf(taskId) is { } a) _avoidance.Failed(a.Service, a.Node.Spec.Id, Now);
        return ReleaseAsync(taskId);
    }

    public Task ReleaseAsync(string taskId)
    {
        if (_cluster.Release(taskId) && _pending.Count > 0) _tick.RequestWithin(RetryDelay);
        return Task.CompletedTask;
    }

    public async Task NodeChangedAsync(NodeInfo node)
    {
        var n = _cluster.Upsert(node);
        if (_pending.Count > 0 && node.Schedulable) _tick.RequestWithin(RetryDelay);
        await EnforceAsync(n);
    }

    public Task NodeRemovedAsync(string nodeId)
    {
        // Its tasks are replaced once its node grain has stopped them (or let them go): they hold nothing here now.
        if (_cluster.Remove(nodeId) && _pending.Count > 0) _tick.RequestWithin(RetryDelay);
        return Task.CompletedTask;
    }

    /// <summary>Shuts down the tasks their node no longer satisfies (<see cref="ConstraintEnforcer"/>); each ends shut
    /// down and its service replaces it elsewhere at once. Asking again is harmless: a task shuts down once.</summary>
    private async Task EnforceAsync(SchedulingNode node)
    {
        if (!_filters.EnforcerOn) return;
        foreach (var r in ConstraintEnforcer.Check(_cluster, node, RulesOf))
            await GrainFactory.GetGrain<ITaskGrain>(r.Assignment.TaskId).ShutdownAsync(r.Reason);
    }

    public Task DescribeSpreadAsync(string service, PlacementSpec placement, IReadOnlyList<string> nodes)
    {
        var levels = PlacementRules.Parse(placement).SpreadLevels;
        var values = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var id in nodes)
            values[id] = _cluster.Node(id) is { } node ? levels.Select(l => l.ValueOf(node.Spec) ?? "").ToArray() : levels.Select(_ => "").ToArray();
        return GrainFactory.GetGrain<IServiceGrain>(service).SpreadValuesAsync(values);
    }

    public Task<SchedulerStats> GetStatsAsync() =>
        Task.FromResult(new SchedulerStats(_cluster.Nodes.Count, _cluster.AssignmentCount, _pending.Count, _placed, _batches));

    private async Task TickAsync()
    {
        if (_pending.Count == 0) return;
        _batches++;
        var batch = _pending.ToArray();
        _pending.Clear();
        var avoided = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (!_avoidance.IsEmpty)
        {
            _avoidance.Prune(Now);
            foreach (var service in batch.Select(t => t.Service).Distinct())
                if (_avoidance.Avoided(service, Now) is { } nodes) avoided[service] = nodes;
        }
        var result = Placement.Place(_cluster, batch, t => avoided.TryGetValue(t.Service, out var nodes) ? NodeAvoidance.Avoiding(RulesOf(t)!, nodes) : RulesOf(t)!,
            _filters.Disabled);
        result.ApplyTo(_cluster);
        var retry = result.Unplaced.Where(g => avoided.ContainsKey(g.Service)).SelectMany(g => g.Tasks).ToList();
        if (retry.Count > 0)
        {
            // Avoiding is a preference: what found no other node may go to an avoided one.
            var second = Placement.Place(_cluster, retry, t => RulesOf(t)!, _filters.Disabled);
            second.ApplyTo(_cluster);
            result.Placed.AddRange(second.Placed);
            result.Unplaced.RemoveAll(g => avoided.ContainsKey(g.Service));
            result.Unplaced.AddRange(second.Unplaced);
        }
        _placed += result.Placed.Count;
        _metrics.TasksPlaced.Add(result.Placed.Count);
        var stillPending = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in result.Unplaced)
        {
            _pending.AddRange(group.Tasks);
            stillPending.Add(group.Service);
            var reason = $"{group.Tasks.Count} pending: {group.Reason}";
            if (_lastReason.GetValueOrDefault(group.Service) == reason) continue;
            _lastReason[group.Service] = reason;
            _events.Publish(new PendingEvent(Now, group.Service, group.Tasks.Count, group.Reason));
        }
        foreach (var service in _lastReason.Keys.Where(s => !stillPending.Contains(s)).ToList())
        {
            _lastReason.Remove(service);
            _events.Publish(new PendingEvent(Now, service, 0, "all tasks placed"));
        }
        _pendingIds.Clear();
        foreach (var t in _pending) _pendingIds.Add(t.TaskId);
        ReportPending();
        foreach (var (task, nodeId) in result.Placed)
            await GrainFactory.GetGrain<ITaskGrain>(task.TaskId).AssignAsync(nodeId, _cluster.AssignmentOf(task.TaskId)?.Generic);
    }

    /// <summary>Moves <see cref="OrcaMetrics.Pending"/> by what changed since the last report.</summary>
    private void ReportPending()
    {
        _metrics.Pending.Add(_pending.Count - _reportedPending);
        _reportedPending = _pending.Count;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _metrics.Pending.Add(-_reportedPending);
        _reportedPending = 0;
        return Task.CompletedTask;
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
            _events.Publish(new PendingEvent(Now, task.Service, 1, e.Message));
            return null;
        }
    }
}
