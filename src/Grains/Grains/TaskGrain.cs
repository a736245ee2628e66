using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Grains.Scheduling;

namespace Orca.Grains.Grains;

public sealed class TaskGrainState
{
    public TaskSpec? Spec { get; set; }
    public PlacementSpec? Placement { get; set; }
    public TaskState State { get; set; }
    public DesiredTaskState Desired { get; set; }
    public string? Node { get; set; }
    public int? ExitCode { get; set; }
    public string? Message { get; set; }
    public DateTimeOffset Timestamp { get; set; }
}

/// <summary>
/// The lifecycle of one task: pending → assigned → starting → running → complete | failed | shutdown | orphaned.
/// Every change is checked against <see cref="TaskStates.CanMoveTo"/>, persisted, published, and reported to the
/// service; a task that ends frees its resources at the scheduler.
/// </summary>
public sealed class TaskGrain : Grain, ITaskGrain
{
    private readonly IPersistentState<TaskGrainState> _state;

    public TaskGrain(IGrainContext context, GrainServices services) : base(context) =>
        _state = PersistentState<TaskGrainState>("task", services.Store);

    private TaskGrainState S => _state.State;
    private ISchedulerGrain Scheduler => GrainFactory.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key);

    public async Task CreateAsync(TaskSpec spec, PlacementSpec placement)
    {
        if (S.Spec is not null) return; // created already: the message was delivered twice
        S.Spec = spec;
        S.Placement = placement;
        S.Desired = DesiredTaskState.Running;
        await MoveAsync(TaskState.Pending, null);
        await Scheduler.EnqueueAsync(TaskRequest.For(spec, placement));
    }

    public async Task AssignAsync(string nodeId)
    {
        if (S.Spec is null || S.State != TaskState.Pending)
        {
            await Scheduler.ReleaseAsync(Key); // shut down while the scheduler was placing it
            return;
        }
        S.Node = nodeId;
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
        if (S.Spec is null || S.State.IsTerminal() || S.Desired == DesiredTaskState.Shutdown) return;
        S.Desired = DesiredTaskState.Shutdown;
        if (S.State is TaskState.New or TaskState.Pending)
        {
            await Scheduler.CancelAsync(Key);
            await MoveAsync(TaskState.Shutdown, reason);
            return;
        }
        await PublishAsync(reason);
        await GrainFactory.GetGrain<INodeGrain>(S.Node!).StopTaskAsync(Key, reason);
    }

    public async Task OrphanAsync(string reason)
    {
        if (S.Spec is null || !S.State.HoldsNode()) return;
        await MoveAsync(TaskState.Orphaned, reason);
    }

    public async Task ResumeAsync()
    {
        if (S.Spec is null || S.State.IsTerminal()) return;
        var request = TaskRequest.For(S.Spec, S.Placement ?? PlacementSpec.None);
        if (S.State is TaskState.New or TaskState.Pending) await Scheduler.EnqueueAsync(request);
        else await Scheduler.RestoreAsync(request, S.Node!);
    }

    public Task<TaskInfo?> GetAsync() => Task.FromResult(S.Spec is null ? null : Info());

    private async Task MoveAsync(TaskState to, string? message)
    {
        if (!S.State.CanMoveTo(to))
            throw new InvalidOperationException($"task {Key}: illegal transition {S.State.Lower()} → {to.Lower()}");
        bool heldNode = S.State.HoldsNode();
        S.State = to;
        if (to.IsTerminal() && heldNode) await Scheduler.ReleaseAsync(Key);
        await PublishAsync(message);
    }

    private async Task PublishAsync(string? message)
    {
        S.Message = message;
        S.Timestamp = Now;
        await _state.WriteStateAsync();
        var spec = S.Spec!;
        Context.Events.Publish(new TaskEvent(Now, Key, spec.Service, spec.Slot, spec.SpecVersion, S.State, S.Desired, S.Node, spec.Resources, message));
        await GrainFactory.GetGrain<IServiceGrain>(spec.Service).TaskChangedAsync(Info());
    }

    private TaskInfo Info()
    {
        var spec = S.Spec!;
        return new TaskInfo(Key, spec.Slot, spec.Generation, spec.SpecVersion, S.State, S.Desired, S.Node, S.ExitCode, S.Message, S.Timestamp);
    }
}
