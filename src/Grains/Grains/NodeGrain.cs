using Orca.Grains.Model;
using Orca.Grains.Runtime;

namespace Orca.Grains.Grains;

public sealed class NodeGrainState
{
    public NodeSpec? Spec { get; set; }
    public Dictionary<string, NodeTask> Tasks { get; set; } = new(StringComparer.Ordinal);
    public bool DeclaredDown { get; set; }

    /// <summary>The host incarnation seen at the last heartbeat.</summary>
    public string? HostIncarnation { get; set; }
}

/// <summary>A task this node was asked to run. <see cref="StopReason"/> is set once a stop was asked for.</summary>
public sealed record NodeTask(string TaskId, string? ContainerId, string? StopReason);

/// <summary>
/// One host. Pings it every heartbeat interval and reports misses to the cluster grain; starts and stops containers
/// through its <see cref="IContainerDriver"/>. Container starts take seconds (image pulls), so they run outside the
/// turn and their outcome comes back as a message to this grain, leaving the grain free for heartbeats and stops.
/// </summary>
public sealed class NodeGrain : Grain, INodeGrain
{
    private readonly IPersistentState<NodeGrainState> _state;
    private readonly IContainerDriverFactory _drivers;
    private IContainerDriver? _driver;
    private IGrainTimer? _heartbeat;
    private int _missed;
    private DateTimeOffset _lastHeartbeat;

    public NodeGrain(IGrainContext context, GrainServices services) : base(context)
    {
        _state = PersistentState<NodeGrainState>("node", services.Store);
        _drivers = services.Drivers;
    }

    private NodeGrainState S => _state.State;
    private IContainerDriver Driver => _driver ??= _drivers.ForNode(Key, S.Spec?.Endpoint);
    private INodeGrain Self => GrainFactory.GetGrain<INodeGrain>(Key);
    private ITaskGrain TaskGrain(string taskId) => GrainFactory.GetGrain<ITaskGrain>(taskId);

    /// <summary>A new activation (first call, or the control plane restarted) lists the host's containers at its
    /// first good heartbeat: it adopts those of its tasks instead of starting them twice.</summary>
    private bool _listOnNextHeartbeat = true;

    public override Task OnActivateAsync()
    {
        if (S.Spec is not null) StartHeartbeat();
        return Task.CompletedTask;
    }

    public async Task RegisterAsync(NodeSpec spec)
    {
        if (spec.SameAs(S.Spec) && _heartbeat is not null) return; // already known and beating: a repeated wake-up
        if (S.Spec?.Endpoint != spec.Endpoint) _driver = null;
        S.Spec = spec;
        await _state.WriteStateAsync();
        StartHeartbeat();
    }

    private void StartHeartbeat()
    {
        if (_heartbeat is not null) return;
        _lastHeartbeat = Now;
        var interval = Context.Options.HeartbeatInterval;
        // Spread the first beats of many nodes over one interval instead of pinging all hosts at once.
        var first = TimeSpan.FromTicks((long)(interval.Ticks * Context.Random.NextDouble()));
        _heartbeat = RegisterTimer(HeartbeatAsync, first, interval);
    }

    private async Task HeartbeatAsync()
    {
        string incarnation;
        try
        {
            incarnation = await Driver.PingAsync();
        }
        catch (ContainerDriverException)
        {
            _missed++;
            await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).HeartbeatMissedAsync(Key, _missed, _lastHeartbeat);
            return;
        }
        _lastHeartbeat = Now;
        bool hostChanged = S.HostIncarnation is not null && S.HostIncarnation != incarnation;
        if (S.HostIncarnation != incarnation)
        {
            S.HostIncarnation = incarnation;
            await _state.WriteStateAsync();
        }
        if (_missed > 0 || S.DeclaredDown)
        {
            _missed = 0;
            await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).HeartbeatRestoredAsync(Key);
        }
        else if (!hostChanged && !_listOnNextHeartbeat) return;
        _listOnNextHeartbeat = false;
        await ReconcileContainersAsync();
    }

    /// <summary>After the host was unreachable or changed incarnation: containers of tasks this node no longer runs
    /// (replaced while it was down) are removed, so a node that comes back never produces duplicates; a container
    /// that exited while its event could not reach us reports its exit code; a task whose container vanished (the
    /// host restarted) is orphaned and replaced at once.</summary>
    private async Task ReconcileContainersAsync()
    {
        IReadOnlyList<ContainerInfo> containers;
        try
        {
            containers = await Driver.ListContainersAsync();
        }
        catch (ContainerDriverException)
        {
            return; // the next heartbeat tries again
        }
        S.DeclaredDown = false;
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in containers)
        {
            bool ours = S.Tasks.TryGetValue(c.TaskId, out var t) && (t.ContainerId == c.ContainerId || t.ContainerId is null && t.StopReason is null);
            if (!ours)
            {
                _ = RemoveStaleAsync(c.ContainerId); // replaced or stopped meanwhile
                continue;
            }
            listed.Add(c.TaskId);
            bool adopted = t!.ContainerId is null; // its start was never recorded (the control plane restarted meanwhile)
            if (adopted) S.Tasks[c.TaskId] = t = t with { ContainerId = c.ContainerId };
            if (c.Running)
            {
                if (adopted) await TaskGrain(c.TaskId).NodeReportAsync(TaskState.Running, null, "adopted: its container runs");
                continue;
            }
            if (c.ExitCode is null) continue; // created, not started yet: its start is under way
            await ExitedAsync(t, c.ExitCode.Value, oom: false); // exited while its event could not reach us
        }
        foreach (var t in S.Tasks.Values.Where(t => t.ContainerId is not null && !listed.Contains(t.TaskId)).ToList())
        {
            S.Tasks.Remove(t.TaskId);
            await TaskGrain(t.TaskId).NodeReportAsync(t.StopReason is null ? TaskState.Orphaned : TaskState.Shutdown, null,
                $"container gone: host {Key} restarted");
        }
        await _state.WriteStateAsync();
    }

    private async Task RemoveStaleAsync(string containerId)
    {
        try
        {
            await Driver.StopContainerAsync(containerId, TimeSpan.Zero);
            await Driver.RemoveContainerAsync(containerId);
        }
        catch (ContainerDriverException)
        {
            // the next reconciliation after a missed heartbeat tries again
        }
    }

    public async Task StartTaskAsync(TaskSpec task)
    {
        if (S.DeclaredDown || S.Spec is null)
        {
            await TaskGrain(task.TaskId).NodeReportAsync(TaskState.Orphaned, null, $"node {Key} is down");
            return;
        }
        if (S.Tasks.ContainsKey(task.TaskId)) return;
        S.Tasks[task.TaskId] = new NodeTask(task.TaskId, null, null);
        await _state.WriteStateAsync();
        await TaskGrain(task.TaskId).NodeReportAsync(TaskState.Starting, null, null);
        _ = RunContainerAsync(task);
    }

    /// <summary>Runs outside the turn; touches no grain state and reports back with a message.</summary>
    private async Task RunContainerAsync(TaskSpec task)
    {
        var spec = new ContainerSpec(task.TaskId, task.Service, Key, task.Image, task.Resources.CpuMillis,
            task.Resources.MemoryBytes, task.Command, task.Env, task.HostPorts);
        try
        {
            var id = await Driver.RunContainerAsync(spec);
            await Self.ContainerStartedAsync(task.TaskId, id, null, false);
        }
        catch (ContainerDriverException e)
        {
            await Self.ContainerStartedAsync(task.TaskId, null, e.Message, e.Failure == DriverFailure.Unreachable);
        }
    }

    public async Task ContainerStartedAsync(string taskId, string? containerId, string? error, bool hostUnreachable)
    {
        if (!S.Tasks.TryGetValue(taskId, out var t))
        {
            if (containerId is not null) _ = RemoveStaleAsync(containerId); // orphaned or stopped meanwhile
            return;
        }
        if (containerId is null)
        {
            S.Tasks.Remove(taskId);
            await _state.WriteStateAsync();
            var state = t.StopReason is not null ? TaskState.Shutdown : hostUnreachable ? TaskState.Orphaned : TaskState.Failed;
            await TaskGrain(taskId).NodeReportAsync(state, null, error);
            if (hostUnreachable) await SuspectNowAsync();
            return;
        }
        S.Tasks[taskId] = t with { ContainerId = containerId };
        await _state.WriteStateAsync();
        if (t.StopReason is not null)
        {
            _ = StopContainerAsync(taskId, containerId);
            return;
        }
        await TaskGrain(taskId).NodeReportAsync(TaskState.Running, null, null);
    }

    /// <summary>A call to the host failed: as good as missed heartbeats, so the node is suspected at once and takes no
    /// new tasks (otherwise replacements would be placed on it again and again until the next heartbeats fail).</summary>
    private async Task SuspectNowAsync()
    {
        _missed = Math.Max(_missed + 1, Context.Options.SuspectAfterMissedHeartbeats);
        await GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).HeartbeatMissedAsync(Key, _missed, _lastHeartbeat);
    }

    public async Task StopTaskAsync(string taskId, string reason)
    {
        if (!S.Tasks.TryGetValue(taskId, out var t))
        {
            await TaskGrain(taskId).NodeReportAsync(TaskState.Shutdown, null, reason);
            return;
        }
        if (t.StopReason is not null) return;
        S.Tasks[taskId] = t with { StopReason = reason };
        await _state.WriteStateAsync();
        if (t.ContainerId is not null) _ = StopContainerAsync(taskId, t.ContainerId);
    }

    private async Task StopContainerAsync(string taskId, string containerId)
    {
        try
        {
            await Driver.StopContainerAsync(containerId, Context.Options.StopGracePeriod);
            await Driver.RemoveContainerAsync(containerId);
        }
        catch (ContainerDriverException)
        {
            return; // unreachable: the task ends as orphaned when the node is declared down
        }
        await Self.ContainerStoppedAsync(taskId);
    }

    public async Task ContainerStoppedAsync(string taskId)
    {
        if (!S.Tasks.Remove(taskId, out var t)) return;
        await _state.WriteStateAsync();
        await TaskGrain(taskId).NodeReportAsync(TaskState.Shutdown, null, t.StopReason);
    }

    public async Task ContainerEventAsync(ContainerEvent e)
    {
        if (!S.Tasks.TryGetValue(e.TaskId, out var t) || t.ContainerId != e.ContainerId) return;
        await ExitedAsync(t, e.ExitCode, e.Kind == ContainerEventKind.OutOfMemory);
    }

    /// <summary>A container of ours has exited: the task completed, failed, or was shut down as asked.</summary>
    private async Task ExitedAsync(NodeTask t, int exitCode, bool oom)
    {
        S.Tasks.Remove(t.TaskId);
        await _state.WriteStateAsync();
        _ = RemoveStaleAsync(t.ContainerId!);
        var (state, message) = t.StopReason is not null ? (TaskState.Shutdown, t.StopReason)
            : oom ? (TaskState.Failed, "killed: out of memory")
            : exitCode == 0 ? (TaskState.Complete, "exited with code 0")
            : (TaskState.Failed, $"exited with code {exitCode}");
        await TaskGrain(t.TaskId).NodeReportAsync(state, exitCode, message);
    }

    public async Task DeclaredDownAsync()
    {
        S.DeclaredDown = true;
        var lost = S.Tasks.Keys.ToList();
        S.Tasks.Clear();
        await _state.WriteStateAsync();
        foreach (var taskId in lost) await TaskGrain(taskId).OrphanAsync($"node {Key} declared down");
    }

    public async Task DrainAsync()
    {
        foreach (var taskId in S.Tasks.Keys.ToList()) await StopTaskAsync(taskId, $"node {Key} drained");
    }

    public Task<IReadOnlyList<string>> ListTasksAsync() =>
        Task.FromResult<IReadOnlyList<string>>(S.Tasks.Keys.Order(StringComparer.Ordinal).ToList());
}
