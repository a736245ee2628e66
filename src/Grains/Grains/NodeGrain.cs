using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orleans;
using Orleans.Runtime;

namespace Orca.Grains.Grains;

/// <summary>
/// One host. Pings it every heartbeat interval and reports misses to the cluster grain; starts and stops containers
/// through its <see cref="IContainerDriver"/>. Container starts take seconds (image pulls), so they run outside the
/// turn and their outcome comes back as a message to this grain, leaving the grain free for heartbeats and stops.
/// A new activation lists the host's labelled containers before anything else and settles each one: adopted
/// (running, of a task it runs), started again (created but never started, or never created), stopped and removed
/// (asked to stop, or of a task it no longer runs), or reported (exited meanwhile).
/// </summary>
public sealed partial class NodeGrain : Grain, INodeGrain, IRemindable
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
    private readonly IEventSink _events;

    /// <summary>A new activation lists the host's containers at its first good heartbeat and settles them.</summary>
    private bool _listOnNextHeartbeat = true;

    public NodeGrain(IGrainContext context, IGrainRuntime runtime,
        [PersistentState("node", OrcaStorage.Name)] IPersistentState<NodeGrainState> state,
        IContainerDriverFactory drivers, TimeProvider time, IRandomSource random, OrcaOptions options, OrcaMetrics metrics, IEventSink events)
        : base(context, runtime)
    {
        _metrics = metrics;
        _events = events;
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

    /// <summary>The task leaves this node: forgotten but for how it ended; then reported to its grain.</summary>
    private async Task EndAsync(string taskId, TaskState state, int? exitCode, string? message)
    {
        Forget(taskId, state, exitCode, message);
        await TaskGrain(taskId).NodeReportAsync(state, exitCode, message);
    }

    /// <summary>Drops the task but for how it ended (kept for <see cref="ConfirmTaskAsync"/>).</summary>
    private void Forget(string taskId, TaskState state, int? exitCode, string? message) =>
        S.Forget(taskId, new NodeTaskEnd(state, exitCode, message, Now));

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
        var description = facts.Describe();
        if (join.Address is { } address) description = description with { Address = address };
        var spec = new NodeSpec(_key, capacity, join.Labels, join.Role, join.Endpoint, description, join.Generic is { Count: > 0 } g ? g : null);
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
            if (Retiring)
            {
                await RetiringHostSilentAsync();
                return;
            }
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
        if (Retiring)
        {
            await RetiringHeartbeatAsync();
            return;
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
}
