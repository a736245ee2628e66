using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orleans;
using Orleans.Runtime;

namespace Orca.Grains.Grains;

[GenerateSerializer, Alias("orca.NodeGrainState")]
public sealed class NodeGrainState
{
    [Id(0)] public NodeSpec? Spec { get; set; }
    [Id(1)] public Dictionary<string, NodeTask> Tasks { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public bool DeclaredDown { get; set; }

    /// <summary>The host incarnation seen at the last heartbeat.</summary>
    [Id(3)] public string? HostIncarnation { get; set; }

    /// <summary>What each task needs to run, kept until its container is recorded, so that a start lost with its
    /// activation (the silo died between create and start, or before either) is made again.</summary>
    [Id(4)] public Dictionary<string, TaskSpec> Starts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How the latest tasks that left this node ended (at most <see cref="NodeGrain.EndedKept"/>), so that an
    /// end whose report was lost with a silo can be reported again when the task asks.</summary>
    [Id(5)] public Dictionary<string, NodeTaskEnd> Ended { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Immutable, Alias("orca.NodeTaskEnd")]
public sealed record NodeTaskEnd([property: Id(0)] TaskState State, [property: Id(1)] int? ExitCode, [property: Id(2)] string? Message,
    [property: Id(3)] DateTimeOffset At);

/// <summary>A task this node was asked to run. <see cref="StopReason"/> is set once a stop was asked for.</summary>
[GenerateSerializer, Immutable, Alias("orca.NodeTask")]
public sealed record NodeTask([property: Id(0)] string TaskId, [property: Id(1)] string? ContainerId, [property: Id(2)] string? StopReason);

/// <summary>
/// One host. Pings it every heartbeat interval and reports misses to the cluster grain; starts and stops containers
/// through its <see cref="IContainerDriver"/>. Container starts take seconds (image pulls), so they run outside the
/// turn and their outcome comes back as a message to this grain, leaving the grain free for heartbeats and stops.
/// A new activation lists the host's labelled containers before anything else and settles each one: adopted
/// (running, of a task it runs), started again (created but never started, or never created), stopped and removed
/// (asked to stop, or of a task it no longer runs), or reported (exited meanwhile).
/// </summary>
public sealed class NodeGrain : Grain, INodeGrain, IRemindable
{
    private readonly IPersistentState<NodeGrainState> _state;
    private readonly IContainerDriverFactory _drivers;
    private readonly TimeProvider _time;
    private readonly IRandomSource _random;
    private readonly OrcaOptions _options;
    private readonly KeepAlive _keepAlive;
    private readonly string _key;
    private IContainerDriver? _driver;
    private IGrainTimer? _heartbeat;
    private int _missed;
    private DateTimeOffset _lastHeartbeat;

    /// <summary>Tasks whose container start or stop this activation has under way (lost when the activation is).</summary>
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);

    /// <summary>When this activation asked its host for each container now starting (for the start-duration histogram).</summary>
    private readonly Dictionary<string, DateTimeOffset> _startAsked = new(StringComparer.Ordinal);
    private readonly OrcaMetrics _metrics;

    /// <summary>A new activation lists the host's containers at its first good heartbeat and settles them.</summary>
    private bool _listOnNextHeartbeat = true;

    public NodeGrain(IGrainContext context, IGrainRuntime runtime,
        [PersistentState("node", OrcaStorage.Name)] IPersistentState<NodeGrainState> state,
        IContainerDriverFactory drivers, TimeProvider time, IRandomSource random, OrcaOptions options, OrcaMetrics metrics) : base(context, runtime)
    {
        _metrics = metrics;
        _state = state;
        _drivers = drivers;
        _time = time;
        _random = random;
        _options = options;
        _keepAlive = new KeepAlive(this, options);
        _key = this.GetPrimaryKeyString();
    }

    private NodeGrainState S => _state.State;
    private DateTimeOffset Now => _time.GetUtcNow();
    private IContainerDriver Driver => _driver ??= _drivers.ForNode(_key, S.Spec?.Endpoint);
    private INodeGrain Self => GrainFactory.GetGrain<INodeGrain>(_key);
    private IClusterGrain Cluster => GrainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key);
    private ITaskGrain TaskGrain(string taskId) => GrainFactory.GetGrain<ITaskGrain>(taskId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Spec is null) return;
        await _keepAlive.EnsureAsync();
        StartHeartbeat();
    }

    /// <summary>The keep-alive reminder only brings this grain back after its silo died; the activation does the rest.</summary>
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public Task ResumeAsync()
    {
        _listOnNextHeartbeat = true;
        return Task.CompletedTask;
    }

    public async Task ConfirmTaskAsync(string taskId)
    {
        if (S.Tasks.TryGetValue(taskId, out var t))
        {
            if (t.ContainerId is not null && t.StopReason is null) await TaskGrain(taskId).NodeReportAsync(TaskState.Running, null, null);
            return; // starting or stopping: its outcome is reported when it comes
        }
        var end = S.Ended.GetValueOrDefault(taskId);
        await TaskGrain(taskId).NodeReportAsync(end?.State ?? TaskState.Orphaned, end?.ExitCode,
            end?.Message ?? $"node {_key} has no record of it (its end was not heard)");
    }

    public const int EndedKept = 256;

    /// <summary>The task leaves this node: forgotten but for how it ended; then reported to its grain.</summary>
    private async Task EndAsync(string taskId, TaskState state, int? exitCode, string? message)
    {
        Forget(taskId, state, exitCode, message);
        await TaskGrain(taskId).NodeReportAsync(state, exitCode, message);
    }

    /// <summary>Drops the task but for how it ended (kept for <see cref="ConfirmTaskAsync"/>; the oldest end goes first).</summary>
    private void Forget(string taskId, TaskState state, int? exitCode, string? message)
    {
        S.Tasks.Remove(taskId);
        S.Starts.Remove(taskId);
        S.Ended[taskId] = new NodeTaskEnd(state, exitCode, message, Now);
        if (S.Ended.Count <= EndedKept) return;
        var oldest = S.Ended.MinBy(e => (e.Value.At, e.Key), EndComparer.Instance).Key;
        S.Ended.Remove(oldest);
    }

    private sealed class EndComparer : IComparer<(DateTimeOffset, string)>
    {
        public static readonly EndComparer Instance = new();
        public int Compare((DateTimeOffset, string) x, (DateTimeOffset, string) y) =>
            x.Item1 != y.Item1 ? x.Item1.CompareTo(y.Item1) : string.CompareOrdinal(x.Item2, y.Item2);
    }

    public async Task<NodeInfo> JoinAsync(NodeJoin join)
    {
        if (!Names.IsValid(_key)) throw new ArgumentException($"id: '{_key}' is not a node id: {Names.Rule}");
        if (string.IsNullOrWhiteSpace(join.Endpoint))
            throw new ArgumentException("docker: required, e.g. unix:///var/run/docker.sock or tcp://10.0.0.12:2375");
        HostFacts facts;
        try
        {
            facts = await _drivers.DescribeHostAsync(_key, join.Endpoint);
        }
        catch (ContainerDriverException e)
        {
            throw new ArgumentException($"docker: cannot reach {join.Endpoint}: {e.Message}");
        }
        var capacity = new Resources(join.CpuMillis ?? facts.CpuMillis, join.MemoryBytes ?? facts.MemoryBytes);
        var spec = new NodeSpec(_key, capacity, join.Labels, join.Role, join.Endpoint);
        NodeSpecValidator.Validate(spec);
        return await Cluster.AddNodeAsync(spec); // the cluster grain registers this grain with the spec (one-way)
    }

    public async Task<ImageAnswer> ResolveImageAsync(string image)
    {
        if (S.Spec is null) return new ImageAnswer(false, false, $"node {_key} is not registered");
        try
        {
            await Driver.ResolveImageAsync(image);
            return ImageAnswer.Yes;
        }
        catch (ContainerDriverException e)
        {
            return new ImageAnswer(e.Failure != DriverFailure.Unreachable, false, e.Message);
        }
    }

    public async Task RegisterAsync(NodeSpec spec)
    {
        if (spec.SameAs(S.Spec) && _heartbeat is not null) return; // already known and beating: a repeated wake-up
        if (S.Spec?.Endpoint != spec.Endpoint) _driver = null;
        S.Spec = spec;
        await _state.WriteStateAsync();
        await _keepAlive.EnsureAsync();
        StartHeartbeat();
    }

    private void StartHeartbeat()
    {
        if (_heartbeat is not null) return;
        _lastHeartbeat = Now;
        var interval = _options.HeartbeatInterval;
        // Spread the first beats of many nodes over one interval instead of pinging all hosts at once.
        var first = TimeSpan.FromTicks((long)(interval.Ticks * _random.NextDouble()));
        _heartbeat = this.RegisterGrainTimer(HeartbeatAsync, new GrainTimerCreationOptions(first, interval) { KeepAlive = true });
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
            await Cluster.HeartbeatMissedAsync(_key, _missed, _lastHeartbeat);
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
            await Cluster.HeartbeatRestoredAsync(_key);
        }
        else if (!hostChanged && !_listOnNextHeartbeat) return;
        _listOnNextHeartbeat = false;
        await ReconcileContainersAsync();
    }

    /// <summary>Settles every labelled container on the host against what this node was asked to run (see the class
    /// summary), then starts again what was asked for and has neither a container nor a start under way.</summary>
    private async Task ReconcileContainersAsync()
    {
        IReadOnlyList<ContainerInfo> containers;
        try
        {
            containers = await Driver.ListContainersAsync();
        }
        catch (ContainerDriverException)
        {
            _listOnNextHeartbeat = true; // the next good heartbeat tries again
            return;
        }
        S.DeclaredDown = false;
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in containers)
        {
            if (!S.Tasks.TryGetValue(c.TaskId, out var t) || t.ContainerId is not null && t.ContainerId != c.ContainerId)
            {
                if (!_inFlight.Contains(c.TaskId)) _ = RemoveStaleAsync(c.ContainerId); // replaced or stopped meanwhile
                continue;
            }
            listed.Add(c.TaskId);
            bool adopted = t.ContainerId is null; // its start was never recorded (the activation that began it is gone)
            if (_inFlight.Contains(c.TaskId)) continue; // a start or stop of this activation is under way
            if (t.StopReason is not null)
            {
                if (adopted) S.Tasks[c.TaskId] = t = t with { ContainerId = c.ContainerId };
                _inFlight.Add(t.TaskId);
                _ = StopContainerAsync(t.TaskId, c.ContainerId);
                continue;
            }
            if (c.Running)
            {
                if (!adopted) continue;
                S.Tasks[c.TaskId] = t with { ContainerId = c.ContainerId };
                S.Starts.Remove(c.TaskId);
                await TaskGrain(c.TaskId).NodeReportAsync(TaskState.Running, null, "adopted: its container runs");
                continue;
            }
            if (c.ExitCode is null || adopted)
            {
                listed.Remove(c.TaskId); // created but never started (or exited before its start was recorded): start again
                continue;
            }
            await ExitedAsync(t, c.ExitCode.Value, oom: false); // exited while its event could not reach us
        }
        foreach (var t in S.Tasks.Values.Where(t => !listed.Contains(t.TaskId) && !_inFlight.Contains(t.TaskId)).ToList())
        {
            if (t.ContainerId is null && t.StopReason is null && S.Starts.TryGetValue(t.TaskId, out var spec))
            {
                StartContainer(spec); // never created, or created and never started: the driver replaces a leftover
                continue;
            }
            await EndAsync(t.TaskId, t.StopReason is null ? TaskState.Orphaned : TaskState.Shutdown, null,
                t.StopReason ?? $"container gone: host {_key} restarted");
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
            // the next listing tries again
        }
    }

    public async Task StartTaskAsync(TaskSpec task)
    {
        if (S.DeclaredDown || S.Spec is null)
        {
            await TaskGrain(task.TaskId).NodeReportAsync(TaskState.Orphaned, null, $"node {_key} is down");
            return;
        }
        if (S.Tasks.TryGetValue(task.TaskId, out var known))
        {
            // Asked again by a resumed task: this node has it in hand. If its container runs, the task may have missed
            // the report (its grain's silo died): say it again. A start or stop under way reports when it ends.
            if (known.ContainerId is not null && known.StopReason is null && !_inFlight.Contains(task.TaskId))
                await TaskGrain(task.TaskId).NodeReportAsync(TaskState.Running, null, null);
            return;
        }
        S.Tasks[task.TaskId] = new NodeTask(task.TaskId, null, null);
        S.Starts[task.TaskId] = task;
        await _state.WriteStateAsync();
        await TaskGrain(task.TaskId).NodeReportAsync(TaskState.Starting, null, null);
        StartContainer(task);
    }

    private void StartContainer(TaskSpec task)
    {
        _inFlight.Add(task.TaskId);
        _startAsked[task.TaskId] = Now;
        _ = RunContainerAsync(task);
    }

    /// <summary>Runs outside the turn; touches no grain state and reports back with a message.</summary>
    private async Task RunContainerAsync(TaskSpec task)
    {
        var spec = new ContainerSpec(task.TaskId, task.Service, _key, task.Image, task.Resources.CpuMillis,
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
        _inFlight.Remove(taskId);
        if (_startAsked.Remove(taskId, out var asked))
        {
            var node = new KeyValuePair<string, object?>("node", _key);
            _metrics.ContainerStarts.Add(1, node, new KeyValuePair<string, object?>("outcome", containerId is null ? "failed" : "started"));
            if (containerId is not null) _metrics.ContainerStartDuration.Record((Now - asked).TotalSeconds, node);
        }
        if (!S.Tasks.TryGetValue(taskId, out var t))
        {
            if (containerId is not null) _ = RemoveStaleAsync(containerId); // orphaned or stopped meanwhile
            return;
        }
        S.Starts.Remove(taskId);
        if (containerId is null)
        {
            var state = t.StopReason is not null ? TaskState.Shutdown : hostUnreachable ? TaskState.Orphaned : TaskState.Failed;
            Forget(taskId, state, null, error);
            await _state.WriteStateAsync();
            await TaskGrain(taskId).NodeReportAsync(state, null, error);
            if (hostUnreachable) await SuspectNowAsync();
            return;
        }
        S.Tasks[taskId] = t with { ContainerId = containerId };
        await _state.WriteStateAsync();
        if (t.StopReason is not null)
        {
            _inFlight.Add(taskId);
            _ = StopContainerAsync(taskId, containerId);
            return;
        }
        await TaskGrain(taskId).NodeReportAsync(TaskState.Running, null, null);
    }

    /// <summary>A call to the host failed: as good as missed heartbeats, so the node is suspected at once and takes no
    /// new tasks (otherwise replacements would be placed on it again and again until the next heartbeats fail).</summary>
    private async Task SuspectNowAsync()
    {
        _missed = Math.Max(_missed + 1, _options.SuspectAfterMissedHeartbeats);
        await Cluster.HeartbeatMissedAsync(_key, _missed, _lastHeartbeat);
    }

    public async Task StopTaskAsync(string taskId, string reason)
    {
        if (!S.Tasks.TryGetValue(taskId, out var t))
        {
            await TaskGrain(taskId).NodeReportAsync(TaskState.Shutdown, null, reason);
            return;
        }
        if (t.StopReason is null)
        {
            S.Tasks[taskId] = t = t with { StopReason = reason };
            S.Starts.Remove(taskId);
            await _state.WriteStateAsync();
        }
        if (t.ContainerId is not null && _inFlight.Add(taskId)) _ = StopContainerAsync(taskId, t.ContainerId);
    }

    private async Task StopContainerAsync(string taskId, string containerId)
    {
        try
        {
            await Driver.StopContainerAsync(containerId, _options.StopGracePeriod);
            await Driver.RemoveContainerAsync(containerId);
        }
        catch (ContainerDriverException)
        {
            await Self.ContainerStoppedAsync(taskId, stopped: false); // unreachable: the next listing tries again
            return;
        }
        await Self.ContainerStoppedAsync(taskId, stopped: true);
    }

    public async Task ContainerStoppedAsync(string taskId, bool stopped)
    {
        _inFlight.Remove(taskId);
        if (!stopped)
        {
            _listOnNextHeartbeat = true;
            return;
        }
        if (!S.Tasks.TryGetValue(taskId, out var t)) return;
        Forget(taskId, TaskState.Shutdown, null, t.StopReason);
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
        var (state, message) = t.StopReason is not null ? (TaskState.Shutdown, t.StopReason)
            : oom ? (TaskState.Failed, "killed: out of memory")
            : exitCode == 0 ? (TaskState.Complete, "exited with code 0")
            : (TaskState.Failed, $"exited with code {exitCode}");
        Forget(t.TaskId, state, exitCode, message);
        await _state.WriteStateAsync();
        if (!_inFlight.Contains(t.TaskId)) _ = RemoveStaleAsync(t.ContainerId!);
        await TaskGrain(t.TaskId).NodeReportAsync(state, exitCode, message);
    }

    public async Task DeclaredDownAsync()
    {
        S.DeclaredDown = true;
        var lost = S.Tasks.Keys.ToList();
        var reason = $"node {_key} declared down";
        foreach (var taskId in lost) Forget(taskId, TaskState.Orphaned, null, reason);
        await _state.WriteStateAsync();
        foreach (var taskId in lost) await TaskGrain(taskId).OrphanAsync(reason);
    }

    public async Task DrainAsync()
    {
        foreach (var taskId in S.Tasks.Keys.ToList()) await StopTaskAsync(taskId, $"node {_key} drained");
    }

    public Task<IReadOnlyList<string>> ListTasksAsync() =>
        Task.FromResult<IReadOnlyList<string>>(S.Tasks.Keys.Order(StringComparer.Ordinal).ToList());
}
