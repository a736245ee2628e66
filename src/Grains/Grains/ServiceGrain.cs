using Orca.Grains.Model;
using Orca.Grains.Reconciliation;
using Orca.Grains.Runtime;

namespace Orca.Grains.Grains;

/// <summary>
/// A replicated service: its desired spec and version history, and the loop that keeps it true. Task notifications
/// are recorded and coalesced for <see cref="OrcaOptions.ReconcileDebounce"/>; then <see cref="Reconciler.Compute"/>
/// decides, and this grain applies the actions, persists, and sends the messages.
/// </summary>
public sealed class ServiceGrain : Grain, IServiceGrain
{
    private readonly IPersistentState<ServiceGrainState> _state;
    private readonly GrainAlarm _reconcile;

    public ServiceGrain(IGrainContext context, GrainServices services) : base(context)
    {
        _state = PersistentState<ServiceGrainState>("service", services.Store);
        _reconcile = new GrainAlarm(context, ReconcileAsync);
    }

    private ServiceGrainState S => _state.State;
    private bool Exists => S.Spec is not null && !S.Removed;

    /// <summary>Picks up where a previous activation stopped: its live tasks re-announce themselves to the
    /// scheduler, then the service reconciles.</summary>
    public override Task OnActivateAsync() => ResumeAsync();

    public async Task ResumeAsync()
    {
        if (S.Spec is null) return;
        var live = S.Slots.Values.SelectMany(s => new[] { s.Current, s.Previous }).Concat(S.Retiring.Values)
            .OfType<TaskInfo>().Where(t => t.State.IsActive());
        foreach (var t in live) await GrainFactory.GetGrain<ITaskGrain>(t.TaskId).ResumeAsync();
        _reconcile.RequestWithin(TimeSpan.Zero);
    }

    public async Task<ServiceInfo> CreateAsync(ServiceSpec spec)
    {
        ServiceSpecValidator.Validate(spec);
        if (spec.Name != Key) throw new ArgumentException($"service name '{spec.Name}' does not match '{Key}'");
        if (Exists) throw new InvalidOperationException($"service {Key} already exists");
        var version = S.Version + 1;
        _state.State = new ServiceGrainState
        {
            Spec = spec, Version = version, History = S.History, Retiring = S.Retiring, LastGeneration = S.LastGeneration,
        };
        await ChangedAsync(ServiceChange.Created);
        return Info();
    }

    public async Task<ServiceInfo> UpdateAsync(ServiceSpec spec)
    {
        ServiceSpecValidator.Validate(spec);
        var current = RequireExisting();
        if (spec.Name != Key) throw new ArgumentException($"service name '{spec.Name}' does not match '{Key}'");
        bool templateChanged = !ServiceSpecs.SameTaskTemplate(spec, current);
        if (!templateChanged && spec.Replicas == current.Replicas) return Info();
        if (templateChanged)
        {
            S.History.Add(current);
            S.Version++;
        }
        S.Spec = spec;
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

    public Task TaskChangedAsync(TaskInfo task)
    {
        if (S.Retiring.ContainsKey(task.TaskId))
        {
            if (task.State.IsTerminal()) S.Retiring.Remove(task.TaskId);
            else S.Retiring[task.TaskId] = task;
            return _state.WriteStateAsync();
        }
        if (!S.Slots.TryGetValue(task.Slot, out var slot)) return Task.CompletedTask; // a slot removed since
        bool isCurrent = slot.Current?.TaskId == task.TaskId;
        var known = isCurrent ? slot.Current : slot.Previous?.TaskId == task.TaskId ? slot.Previous : null;
        if (known is null || task.State < known.State) return Task.CompletedTask; // stale report
        if (isCurrent)
        {
            slot.Current = task;
            if (slot.Updating && (task.State == TaskState.Running || task.State.IsTerminal())) UpdateSlotDone(slot);
        }
        else slot.Previous = task;
        bool needsReconcile = task.State.IsTerminal() || S.UpdateInProgress || slot.Previous is not null;
        if (needsReconcile) _reconcile.RequestWithin(Context.Options.ReconcileDebounce);
        return _state.WriteStateAsync();
    }

    private void UpdateSlotDone(SlotState slot)
    {
        slot.Updating = false;
        var delay = S.Spec!.Update.Delay;
        if (delay > TimeSpan.Zero && !S.Slots.Values.Any(s => s.Updating)) S.NextUpdateAt = Now + delay;
    }

    private ServiceSpec RequireExisting() => Exists ? S.Spec! : throw new KeyNotFoundException($"no service '{Key}'");

    private async Task ChangedAsync(ServiceChange change)
    {
        await _state.WriteStateAsync();
        Context.Events.Publish(new ServiceEvent(Now, S.Spec!, S.Version, change));
        await ReconcileAsync();
    }

    private async Task ReconcileAsync()
    {
        var spec = S.Spec;
        if (spec is null) return;
        var slots = S.Slots.Values.OrderBy(s => s.Slot)
            .Select(s => new SlotView(s.Slot, s.Current, s.Previous, s.RestartTimes, s.Updating)).ToList();
        var result = Reconciler.Compute(spec, S.Version, slots, S.NextUpdateAt, Now);
        foreach (var action in result.Actions) await ApplyAsync(spec, action);
        if (result.UpdateInProgress != S.UpdateInProgress)
        {
            S.UpdateInProgress = result.UpdateInProgress;
            Context.Events.Publish(new ServiceEvent(Now, spec, S.Version, S.UpdateInProgress ? ServiceChange.UpdateStarted : ServiceChange.UpdateCompleted));
        }
        if (result.Actions.Count > 0 || result.WakeAt is not null) await _state.WriteStateAsync();
        if (result.WakeAt is { } wake) _reconcile.RequestWithin(wake - Now);
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
                S.Retiring[task.TaskId] = task with { Desired = DesiredTaskState.Shutdown };
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
        var taskId = TaskIds.Format(Key, slot.Slot, slot.Generation);
        if (start.Reason == StartReason.Update && slot.Current is { } old && old.State.IsActive()) slot.Previous = old;
        if (start.Reason == StartReason.Restart)
        {
            slot.RestartTimes.Add(Now);
            var window = spec.Restart.Window;
            if (window > TimeSpan.Zero) slot.RestartTimes.RemoveAll(t => t <= Now - window);
        }
        slot.Updating = start.Reason == StartReason.Update;
        slot.Current = new TaskInfo(taskId, slot.Slot, slot.Generation, S.Version, TaskState.New, DesiredTaskState.Running, null, null, null, Now);
        var taskSpec = new TaskSpec(taskId, Key, slot.Slot, slot.Generation, S.Version, spec.Image, spec.Resources,
            spec.HostPorts, spec.Command, spec.Env);
        await GrainFactory.GetGrain<ITaskGrain>(taskId).CreateAsync(taskSpec, spec.Placement);
    }

    private ServiceInfo Info()
    {
        var tasks = S.Slots.Values.OrderBy(s => s.Slot)
            .SelectMany(s => new[] { s.Previous, s.Current })
            .Concat(S.Retiring.Values)
            .OfType<TaskInfo>()
            .ToList();
        int running = S.Slots.Values.Count(s => s.Current?.State == TaskState.Running);
        int pending = S.Slots.Values.Count(s => s.Current?.State is TaskState.New or TaskState.Pending);
        return new ServiceInfo(S.Spec!, S.Version, running, pending, S.UpdateInProgress, tasks);
    }
}
