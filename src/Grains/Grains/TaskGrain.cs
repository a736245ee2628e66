using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Grains.Scheduling;
using Orleans;
using TaskRequest = Orca.Grains.Scheduling.TaskRequest;
using Orleans.Runtime;

namespace Orca.Grains.Grains;

[GenerateSerializer, Alias("orca.TaskGrainState")]
public sealed class TaskGrainState
{
    [Id(0)] public TaskSpec? Spec { get; set; }
    [Id(1)] public PlacementSpec? Placement { get; set; }
    [Id(2)] public TaskState State { get; set; }
    [Id(3)] public DesiredTaskState Desired { get; set; }
    [Id(4)] public string? Node { get; set; }
    [Id(5)] public int? ExitCode { get; set; }
    [Id(6)] public string? Message { get; set; }
    [Id(7)] public DateTimeOffset Timestamp { get; set; }

    /// <summary>When the task became pending (for the scheduling-latency histogram).</summary>
    [Id(8)] public DateTimeOffset? PendingSince { get; set; }
}

/// <summary>
/// The lifecycle of one task: pending → assigned → starting → running → complete | failed | shutdown | orphaned.
/// Every change is checked against <see cref="TaskStates.CanMoveTo"/>, persisted, published, and reported to the
/// service; a task that ends frees its resources at the scheduler.
/// </summary>
public sealed class TaskGrain : Grain, ITaskGrain
{
    private readonly IPersistentState<TaskGrainState> _state;
    private readonly TimeProvider _time;
    private readonly IEventSink _events;
    private readonly string _key;
    private readonly OrcaMetrics _metrics;

    public TaskGrain(IGrainContext context, IGrainRuntime runtime,
        [PersistentState("task", OrcaStorage.Name)] IPersistentState<TaskGrainState> state,
        TimeProvider time, IEventSink events, OrcaMetrics metrics) : base(context, runtime)
    {
        _metrics = metrics;
        _state = state;
        _time = time;
        _events = events;
        _key = this.GetPrimaryKeyString();
    }

    private TaskGrainState S => _state.State;
    private DateTimeOffset Now => _time.GetUtcNow();
    private ISchedulerGrain Scheduler => GrainFactory.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key);

    public async Task CreateAsync(TaskSpec spec, PlacementSpec placement)
    {
        if (S.Spec is not null)
        {
            // Created already: asked again by a service that never heard back (its activation, or the report, was
            // lost). Carry on from where this task is, and tell the service.
            await ResumeAsync();
            return;
        }
        S.Spec = spec;
        S.Placement = placement;
        S.Desired = DesiredTaskState.Running;
        await MoveAsync(TaskState.Pending, null);
        await Scheduler.EnqueueAsync(TaskRequest.For(spec, placement));
    }

    public async Task AssignAsync(string nodeId, IReadOnlyList<GenericResource>? generic = null)
    {
        if (S.Spec is null || S.State != TaskState.Pending)
        {
            if (S.Node != nodeId) await Scheduler.ReleaseAsync(_key); // shut down while the scheduler was placing it
            return;
        }
        S.Node = nodeId;
        if (generic is { Count: > 0 }) S.Spec = S.Spec with { GenericGiven = generic }; // its container's DOCKER_RESOURCE_* variables
        await MoveAsync(TaskState.Assigned, null);
        await GrainFactory.GetGrain<INodeGrain>(nodeId).StartTaskAsync(S.Spec);
    }

    public async Task NodeReportAsync(TaskState state, int? exitCode, string? message)
    {
        if (S.Spec is null || !S.State.CanMoveTo(state)) return; // stale or duplicate report
        S.ExitCode = exitCode;
        await MoveAsync(state, message);
    }

    public async Task ShutdownAsync(string reason)
    {
        if (S.Spec is null || S.State.IsTerminal()) return;
        if (S.Desired == DesiredTaskState.Shutdown)
        {
            if (S.State.HoldsNode()) await GrainFactory.GetGrain<INodeGrain>(S.Node!).StopTaskAsync(_key, reason); // asked again
            return;
        }
        S.Desired = DesiredTaskState.Shutdown;
        if (S.State is TaskState.New or TaskState.Pending)
        {
            await Scheduler.CancelAsync(_key);
            await MoveAsync(TaskState.Shutdown, reason);
            return;
        }
        await PublishAsync(reason);
        await GrainFactory.GetGrain<INodeGrain>(S.Node!).StopTaskAsync(_key, reason);
    }

    public async Task OrphanAsync(string reason)
    {
        if (S.Spec is null || !S.State.HoldsNode()) return;
        await MoveAsync(TaskState.Orphaned, reason);
    }

    public async Task ResumeAsync()
    {
        if (S.Spec is null || S.State.IsTerminal()) return;
        if (S.Desired == DesiredTaskState.Shutdown)
        {
            await ShutdownAsync(S.Message ?? "shut down");
            return;
        }
        if (S.State is TaskState.New or TaskState.Pending)
            await Scheduler.EnqueueAsync(TaskRequest.For(S.Spec, S.Placement ?? PlacementSpec.None));
        else if (S.State is TaskState.Assigned or TaskState.Starting)
            await GrainFactory.GetGrain<INodeGrain>(S.Node!).StartTaskAsync(S.Spec);
        else
            await GrainFactory.GetGrain<INodeGrain>(S.Node!).ConfirmTaskAsync(_key); // its end may have been lost
        await ReportAsync(); // its service may have missed the last report
    }

    public Task<TaskInfo?> GetAsync() => Task.FromResult(S.Spec is null ? null : Info());

    private async Task MoveAsync(TaskState to, string? message)
    {
        if (!S.State.CanMoveTo(to))
            throw new InvalidOperationException($"task {_key}: illegal transition {S.State.Lower()} → {to.Lower()}");
        bool heldNode = S.State.HoldsNode();
        S.State = to;
        if (to == TaskState.Pending) S.PendingSince = Now;
        if (to == TaskState.Running && S.PendingSince is { } since)
            _metrics.SchedulingLatency.Record((Now - since).TotalSeconds, new KeyValuePair<string, object?>("service", S.Spec!.Service));
        if (to == TaskState.Failed && heldNode) await Scheduler.TaskFailedAsync(_key);
        else if (to.IsTerminal() && heldNode) await Scheduler.ReleaseAsync(_key);
        await PublishAsync(message);
    }

    private async Task PublishAsync(string? message)
    {
        S.Message = message;
        S.Timestamp = Now;
        await _state.WriteStateAsync();
        var spec = S.Spec!;
        _events.Publish(new TaskEvent(Now, _key, spec.Service, spec.Slot, spec.SpecVersion, S.State, S.Desired, S.Node, spec.Resources, message,
            spec.Generic));
        await ReportAsync();
    }

    private Task ReportAsync() => GrainFactory.GetGrain<IServiceGrain>(S.Spec!.Service).TaskChangedAsync(Info());

    private TaskInfo Info()
    {
        var spec = S.Spec!;
        return new TaskInfo(_key, spec.Slot, spec.Generation, spec.SpecVersion, S.State, S.Desired, S.Node, S.ExitCode, S.Message, S.Timestamp,
            spec.GenericGiven);
    }
}
