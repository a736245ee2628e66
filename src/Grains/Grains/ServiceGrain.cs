using Orca.Grains.Model;
using Orca.Grains.Reconciliation;
using Orca.Grains.Runtime;
using Orca.Grains.Scheduling;
using Orleans;
using TaskRequest = Orca.Grains.Scheduling.TaskRequest;
using Orleans.Runtime;

namespace Orca.Grains.Grains;

/// <summary>
/// A replicated service: its desired spec and version history, and the loop that keeps it true. Task notifications
/// are recorded and coalesced for <see cref="OrcaOptions.ReconcileDebounce"/>; then <see cref="Reconciler.Compute"/>
/// decides, and this grain applies the actions, persists, and sends the messages.
/// </summary>
public sealed partial class ServiceGrain : Grain, IServiceGrain, IRemindable
{
    private readonly IPersistentState<ServiceGrainState> _state;
    private readonly TimeProvider _time;
    private readonly IEventSink _events;
    private readonly OrcaOptions _options;
    private readonly KeepAlive _keepAlive;
    private readonly GrainAlarm _reconcile;
    private readonly string _key;
    private readonly OrcaMetrics _metrics;
    private readonly ReplicaGauge _replicas;
    private bool _resumed;
    private Dictionary<string, string[]>? _spreadValues; // the scheduler's last answer, used by one scale-down
    private DateTimeOffset? _spreadAskedAt;

    public ServiceGrain(IGrainContext context, IGrainRuntime runtime,
        [PersistentState("service", OrcaStorage.Name)] IPersistentState<ServiceGrainState> state,
        TimeProvider time, IEventSink events, OrcaOptions options, OrcaMetrics metrics) : base(context, runtime)
    {
        _metrics = metrics;
        _state = state;
        _time = time;
        _events = events;
        _options = options;
        _keepAlive = new KeepAlive(this, options);
        _key = this.GetPrimaryKeyString();
        _reconcile = new GrainAlarm(this, time, ReconcileAsync);
        _replicas = new ReplicaGauge(metrics, _key);
    }

    private ServiceGrainState S => _state.State;
    private bool Exists => S.Spec is not null && !S.Removed;
    private DateTimeOffset Now => _time.GetUtcNow();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _resumed = S.Spec is null; // a new service has nothing to resume
        CountReplicas();
        if (S.Spec is null || S.Removed && S.Slots.Count == 0 && S.Retiring.Count == 0) return;
        await _keepAlive.EnsureAsync();
        _reconcile.RequestWithin(TimeSpan.Zero);
    }

    /// <summary>Picks up where messages may have been lost (a silo died or restarted with them in flight): every task
    /// is asked again where it is (creation, placement, start or stop, a running task's node; all idempotent) and
    /// reports back, then the service reconciles. Sent by the cluster grain when a silo starts or another dies; an
    /// activation that heard of neither does it at its first keep-alive reminder.</summary>
    public async Task ResumeAsync()
    {
        _resumed = true;
        if (S.Spec is null || S.Removed && S.Slots.Count == 0 && S.Retiring.Count == 0) return;
        foreach (var slot in S.Slots.Values.OrderBy(s => s.Slot))
            foreach (var t in new[] { slot.Current, slot.Previous })
                if (t is { } task && !task.State.IsTerminal()) await ResumeTaskAsync(task);
        foreach (var t in S.Retiring.Values.OrderBy(t => t.TaskId, StringComparer.Ordinal))
            await GrainFactory.GetGrain<ITaskGrain>(t.TaskId).ShutdownAsync(t.Message ?? "retired");
        _reconcile.RequestWithin(TimeSpan.Zero);
    }

    private async Task ResumeTaskAsync(TaskInfo task)
    {
        var grain = GrainFactory.GetGrain<ITaskGrain>(task.TaskId);
        if (task.State == TaskState.New && SpecOf(task.SpecVersion) is { } spec)
            await grain.CreateAsync(TaskSpecOf(spec, task), spec.Placement);
        else
            await grain.ResumeAsync();
    }

    /// <summary>The keep-alive reminder brings this grain back after its silo died; the first tick of an activation
    /// that was not told to resume resumes it.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!_resumed) await ResumeAsync();
    }

    public async Task<ServiceInfo> CreateAsync(ServiceSpec spec)
    {
        ServiceSpecValidator.Validate(spec);
        if (spec.Name != _key) throw new ArgumentException($"service name '{spec.Name}' does not match '{_key}'");
        if (Exists) throw new InvalidOperationException($"service {_key} already exists");
        await ImageCheck.EnsureAsync(GrainFactory, spec.Image);
        if (S.Spec is { } removed) S.Versions[S.Version] = removed; // its tasks may still be retiring
        var version = S.Version + 1;
        _state.State = new ServiceGrainState
        {
            Spec = spec, Version = version, Versions = S.Versions, Retiring = S.Retiring, LastGeneration = S.LastGeneration,
            LastDeploymentId = S.LastDeploymentId,
        };
        StartDeployment(0, rollback: false, $"create with {spec.Replicas} replicas");
        await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).RegisterServiceAsync(_key);
        await _keepAlive.EnsureAsync();
        await ChangedAsync(ServiceChange.Created);
        return Info();
    }

    public async Task<ServiceInfo> UpdateAsync(ServiceSpec spec)
    {
        ServiceSpecValidator.Validate(spec);
        var current = RequireExisting();
        if (spec.Name != _key) throw new ArgumentException($"service name '{spec.Name}' does not match '{_key}'");
        bool templateChanged = !ServiceSpecs.SameTaskTemplate(spec, current);
        if (!templateChanged && spec.Replicas == current.Replicas) return Info();
        if (spec.Image != current.Image) await ImageCheck.EnsureAsync(GrainFactory, spec.Image);
        S.Spec = spec;
        if (templateChanged)
        {
            S.Versions[S.Version] = current;
            S.Version++;
            TrimVersions();
            StartDeployment(S.Version - 1, rollback: false, $"update to version {S.Version}");
        }
        await ChangedAsync(templateChanged ? ServiceChange.Updated : ServiceChange.Scaled);
        return Info();
    }

    public async Task<ServiceInfo> ScaleAsync(int replicas)
    {
        var current = RequireExisting();
        if (replicas is < 0 or > ServiceSpecValidator.MaxReplicas)
            throw new ArgumentException($"replicas must be 0 to {ServiceSpecValidator.MaxReplicas}, not {replicas}");
        S.Spec = current with { Replicas = replicas };
        await ChangedAsync(ServiceChange.Scaled);
        return Info();
    }

    public async Task RemoveAsync()
    {
        RequireExisting();
        S.Removed = true;
        S.Spec = S.Spec! with { Replicas = 0 };
        await ChangedAsync(ServiceChange.Removed);
    }

    public Task<ServiceInfo?> GetAsync() => Task.FromResult(Exists ? Info() : null);

    public Task<IReadOnlyList<TaskPlacement>> ListPlacementsAsync() =>
        Task.FromResult<IReadOnlyList<TaskPlacement>>(AllTasks().Select(Placement).OfType<TaskPlacement>().ToList());

    private TaskPlacement? Placement(TaskInfo task)
    {
        if (!task.State.IsActive() || task.State == TaskState.New || SpecOf(task.SpecVersion) is not { } spec) return null;
        return new TaskPlacement(TaskRequest.For(TaskSpecOf(spec, task), spec.Placement), task.State.HoldsNode() ? task.Node : null,
            task.State.HoldsNode() ? task.GenericGiven : null);
    }

    /// <summary>The spec a version had: the current one, or an earlier one kept in <see cref="ServiceGrainState.Versions"/>.</summary>
    private ServiceSpec? SpecOf(int version) => version == S.Version ? S.Spec : S.Versions.GetValueOrDefault(version);

    /// <summary>Every task the service knows: per slot the previous and current one, then those retiring.</summary>
    private IEnumerable<TaskInfo> AllTasks() =>
        S.Slots.Values.OrderBy(s => s.Slot).SelectMany(s => new[] { s.Previous, s.Current }).Concat(S.Retiring.Values).OfType<TaskInfo>();

    public async Task TaskChangedAsync(TaskInfo task)
    {
        if (S.Retiring.ContainsKey(task.TaskId))
        {
            if (task.State.IsTerminal())
            {
                S.Retiring.Remove(task.TaskId);
                if (S.Removed) _reconcile.RequestWithin(TimeSpan.Zero); // the last one ends the removal
            }
            else S.Retiring[task.TaskId] = task;
            await _state.WriteStateAsync();
            return;
        }
        if (!S.Slots.TryGetValue(task.Slot, out var slot)) return; // a slot removed since
        bool isCurrent = slot.Current?.TaskId == task.TaskId;
        var known = isCurrent ? slot.Current : slot.Previous?.TaskId == task.TaskId ? slot.Previous : null;
        if (known is null || task.State < known.State || task.State == known.State && task.Desired == known.Desired)
            return; // stale or repeated report
        if (isCurrent)
        {
            _replicas.Step(slot.Current, task);
            slot.Current = task;
            // An updated slot stays in flight until its new task has proved itself for the monitor period (as
            // Kubernetes' minReadySeconds): the next batch does not start on tasks that may still crash.
            if (slot.Updating && (task.State.IsTerminal() || Proved(slot))) UpdateSlotDone(slot);
            await WatchAsync(task);
        }
        else slot.Previous = task;
        bool needsReconcile = task.State.IsTerminal() || S.UpdateInProgress || slot.Previous is not null;
        if (needsReconcile) _reconcile.RequestWithin(_options.ReconcileDebounce);
        // A new task of the deployment proves itself after the monitor period: look again then (the alarm keeps the
        // earliest request, so a service's many reports make one pass, not one each).
        else if (isCurrent && task.State == TaskState.Running && CurrentDeployment is { Active: true } d && d.IsTarget(task.SpecVersion))
            _reconcile.RequestWithin(PolicyOf(d).MonitorPeriod);
        await _state.WriteStateAsync();
    }

    private void UpdateSlotDone(SlotState slot)
    {
        slot.Updating = false;
        var delay = S.Spec!.Update.Delay;
        if (delay > TimeSpan.Zero && !S.Slots.Values.Any(s => s.Updating)) S.NextUpdateAt = Now + delay;
    }

    private ServiceSpec RequireExisting() => Exists ? S.Spec! : throw new KeyNotFoundException($"no service '{_key}'");

    private async Task ChangedAsync(ServiceChange change)
    {
        await _state.WriteStateAsync();
        CountReplicas();
        _events.Publish(new ServiceEvent(Now, S.Spec!, S.Version, change));
        await ReconcileAsync();
    }

    private async Task ReconcileAsync()
    {
        var spec = S.Spec;
        if (spec is null) return;
        var slots = S.Slots.Values.OrderBy(s => s.Slot)
            .Select(s => new SlotView(s.Slot, s.Current, s.Previous, s.RestartTimes, s.Updating)).ToList();
        var deployment = CurrentDeployment;
        var (scaleTo, groups) = await ScaleDownGroupsAsync(spec, slots);
        var result = Reconciler.Compute(spec with { Replicas = scaleTo }, S.Version, slots, S.NextUpdateAt, Now, PolicyOf(deployment), deployment?.Paused == true,
            deployment?.SameAsTarget ?? SameAsCurrent(), groups);
        foreach (var action in result.Actions) await ApplyAsync(spec, action);
        var (watchUntil, deploymentChanged) = TickDeployment(rollingDone: !result.UpdateInProgress);
        if (result.UpdateInProgress != S.UpdateInProgress)
        {
            S.UpdateInProgress = result.UpdateInProgress;
            _events.Publish(new ServiceEvent(Now, spec, S.Version, S.UpdateInProgress ? ServiceChange.UpdateStarted : ServiceChange.UpdateCompleted));
        }
        _metrics.ReconcilePasses.Add(1, new KeyValuePair<string, object?>("service", _key));
        if (result.Actions.Count > 0 || result.WakeAt is not null || deploymentChanged) await _state.WriteStateAsync();
        if (result.Actions.Count > 0) CountReplicas();
        var wakeAt = result.WakeAt is { } w && (watchUntil is null || w < watchUntil) ? w : watchUntil;
        if (wakeAt is { } wake) _reconcile.RequestWithin(wake - Now);
        if (S.Removed && S.Slots.Count == 0 && S.Retiring.Count == 0) await ForgetAsync();
    }

    /// <summary>A removed service whose tasks have all ended: off the cluster's list, no keep-alive reminder.</summary>
    private async Task ForgetAsync()
    {
        await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).UnregisterServiceAsync(_key);
        await _keepAlive.StopAsync();
    }

    private async Task ApplyAsync(ServiceSpec spec, ReconcileAction action)
    {
        switch (action)
        {
            case ReconcileAction.StartTask start:
                await StartTaskAsync(spec, start);
                break;
            case ReconcileAction.StopTask stop:
                var slot = S.Slots[stop.Slot];
                var task = slot.Current?.TaskId == stop.TaskId ? slot.Current : slot.Previous!;
                if (slot.Current?.TaskId == stop.TaskId) slot.Current = null; else slot.Previous = null;
                S.Retiring[task.TaskId] = task with { Desired = DesiredTaskState.Shutdown, Message = stop.Reason };
                await GrainFactory.GetGrain<ITaskGrain>(stop.TaskId).ShutdownAsync(stop.Reason);
                break;
            case ReconcileAction.RemoveSlot remove:
                S.Slots.Remove(remove.Slot);
                break;
        }
    }

    private async Task StartTaskAsync(ServiceSpec spec, ReconcileAction.StartTask start)
    {
        if (!S.Slots.TryGetValue(start.Slot, out var slot)) S.Slots[start.Slot] = slot = new SlotState { Slot = start.Slot };
        slot.Generation = S.LastGeneration[slot.Slot] = S.LastGeneration.GetValueOrDefault(slot.Slot, -1) + 1;
        var taskId = TaskIds.Format(_key, slot.Slot, slot.Generation);
        if (start.Reason == StartReason.Update && slot.Current is { } old && old.State.IsActive()) slot.Previous = old;
        if (start.Reason == StartReason.Restart)
        {
            slot.RestartTimes.Add(Now);
            var window = spec.Restart.Window;
            if (window > TimeSpan.Zero) slot.RestartTimes.RemoveAll(t => t <= Now - (window > Reconciler.BackoffWindow ? window : Reconciler.BackoffWindow));
            // Attempts over the whole life need every time; otherwise only those the back-off counts are kept.
            else if (spec.Restart.MaxAttempts == 0) slot.RestartTimes.RemoveAll(t => t <= Now - Reconciler.BackoffWindow);
        }
        slot.Updating = start.Reason == StartReason.Update;
        slot.Current = new TaskInfo(taskId, slot.Slot, slot.Generation, S.Version, TaskState.New, DesiredTaskState.Running, null, null, null, Now);
        await GrainFactory.GetGrain<ITaskGrain>(taskId).CreateAsync(TaskSpecOf(spec, slot.Current), spec.Placement);
    }

    /// <summary>A scale-down of a spread service balances over each node's spread values, which the scheduler knows:
    /// until its answer covers the nodes, the scale-down waits (the replica count stays as it is for this pass).
    /// Returns the count to reconcile to and the values to balance over.</summary>
    private async Task<(int Replicas, IReadOnlyDictionary<string, string[]>? Groups)> ScaleDownGroupsAsync(ServiceSpec spec, List<SlotView> slots)
    {
        if (slots.Count <= spec.Replicas || PlacementRules.Parse(spec.Placement).SpreadLevels.Count == 0) return (spec.Replicas, null);
        var nodes = slots.Select(s => s.Current?.Node).OfType<string>().Distinct().ToList();
        if (_spreadValues is { } known && nodes.All(known.ContainsKey))
        {
            _spreadValues = null; // labels change: the next scale-down asks again
            _spreadAskedAt = null;
            return (spec.Replicas, known);
        }
        if (_spreadAskedAt is not { } asked || Now - asked > SpreadAnswerWait) // an answer lost with a silo is asked again
        {
            _spreadAskedAt = Now;
            await GrainFactory.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key).DescribeSpreadAsync(_key, spec.Placement, nodes);
        }
        _reconcile.RequestWithin(SpreadAnswerWait);
        return (slots.Count, null);
    }

    private static readonly TimeSpan SpreadAnswerWait = TimeSpan.FromSeconds(5);

    public Task SpreadValuesAsync(Dictionary<string, string[]> values)
    {
        _spreadValues = values;
        _reconcile.RequestWithin(TimeSpan.Zero);
        return Task.CompletedTask;
    }

    private TaskSpec TaskSpecOf(ServiceSpec spec, TaskInfo task) =>
        new(task.TaskId, _key, task.Slot, task.Generation, task.SpecVersion, spec.Image, spec.Resources, spec.HostPorts, spec.Command, spec.Env,
            spec.Health, spec.Network, spec.Generic);

    /// <summary>Recounts this service's replicas into <see cref="OrcaMetrics.ServiceReplicas"/>.</summary>
    private void CountReplicas()
    {
        if (!Exists)
        {
            _replicas.Clear();
            return;
        }
        long running = 0, pending = 0;
        foreach (var slot in S.Slots.Values)
        {
            if (slot.Current?.State == TaskState.Running) running++;
            else if (slot.Current?.State is TaskState.New or TaskState.Pending) pending++;
        }
        _replicas.Set(S.Spec!.Replicas, running, pending);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _replicas.Clear();
        return Task.CompletedTask;
    }

    private ServiceInfo Info()
    {
        var tasks = AllTasks().ToList();
        int running = S.Slots.Values.Count(s => s.Current?.State == TaskState.Running);
        int pending = S.Slots.Values.Count(s => s.Current?.State is TaskState.New or TaskState.Pending);
        return new ServiceInfo(S.Spec!, S.Version, running, pending, S.UpdateInProgress, tasks, S.Deployments.LastOrDefault()?.Info(_key));
    }
}
