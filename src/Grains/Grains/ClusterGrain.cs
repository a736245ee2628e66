using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orleans;
using Orleans.Runtime;

namespace Orca.Grains.Grains;

[GenerateSerializer, Alias("orca.ClusterGrainState")]
public sealed class ClusterGrainState
{
    [Id(0)] public Dictionary<string, NodeInfo> Nodes { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public SortedSet<string> Services { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The node registry, the service registry and the arbiter of node health. Node grains report missed and restored
/// heartbeats; this grain decides Suspect (no new tasks) after <see cref="OrcaOptions.SuspectAfterMissedHeartbeats"/>
/// misses and Down (tasks replaced elsewhere) once <see cref="OrcaOptions.DownAfter"/> has passed since the last good
/// heartbeat. Its activation is the one place the control plane resumes from: it wakes every node grain (their
/// heartbeats and container adoption start) and every service grain (they resume their unsettled tasks).
/// </summary>
public sealed class ClusterGrain : Grain, IClusterGrain, IRemindable
{
    private readonly IPersistentState<ClusterGrainState> _state;
    private readonly TimeProvider _time;
    private readonly IEventSink _events;
    private readonly OrcaOptions _options;
    private readonly KeepAlive _keepAlive;
    private readonly HashSet<string> _lostSilos = new(StringComparer.Ordinal);

    public ClusterGrain(IGrainContext context, IGrainRuntime runtime,
        [PersistentState("cluster", OrcaStorage.Name)] IPersistentState<ClusterGrainState> state,
        TimeProvider time, IEventSink events, OrcaOptions options) : base(context, runtime)
    {
        _state = state;
        _time = time;
        _events = events;
        _options = options;
        _keepAlive = new KeepAlive(this, options);
    }

    private Dictionary<string, NodeInfo> Nodes => _state.State.Nodes;
    private DateTimeOffset Now => _time.GetUtcNow();
    private ISchedulerGrain Scheduler => GrainFactory.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Nodes.Count == 0 && _state.State.Services.Count == 0) return; // nothing to resume, nothing to keep alive
        await _keepAlive.EnsureAsync();
        await WakeAllAsync();
    }

    /// <summary>The one resume routine: every node grain (heartbeats, container adoption) and every service grain
    /// (unsettled tasks) is woken; a wake-up of a grain that is already active does nothing.</summary>
    private async Task WakeAllAsync()
    {
        foreach (var id in Nodes.Keys.Order(StringComparer.Ordinal)) await GrainFactory.GetGrain<INodeGrain>(id).WakeAsync();
        foreach (var service in _state.State.Services) await GrainFactory.GetGrain<IServiceGrain>(service).WakeAsync();
    }

    public async Task SiloLostAsync(string silo)
    {
        if (!_lostSilos.Add(silo)) return; // every survivor reports the same death
        await WakeAllAsync();
    }

    /// <summary>The keep-alive reminder only brings this grain back after its silo died; the activation does the rest.</summary>
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;

    public Task WakeAsync() => Task.CompletedTask;

    public async Task<NodeInfo> AddNodeAsync(NodeSpec spec)
    {
        NodeSpecValidator.Validate(spec);
        var info = Nodes.TryGetValue(spec.Id, out var existing)
            ? existing with { Spec = spec }
            : new NodeInfo(spec, NodeStatus.Ready, NodeAvailability.Active, Now);
        Nodes[spec.Id] = info;
        await _state.WriteStateAsync();
        await _keepAlive.EnsureAsync();
        await GrainFactory.GetGrain<INodeGrain>(spec.Id).RegisterAsync(spec);
        await Changed(info, existing is null ? "node added" : "node updated");
        return info;
    }

    public Task<IReadOnlyList<NodeInfo>> ListNodesAsync() =>
        Task.FromResult<IReadOnlyList<NodeInfo>>(Nodes.Values.OrderBy(n => n.Id, StringComparer.Ordinal).ToList());

    public Task<NodeInfo?> GetNodeAsync(string nodeId) => Task.FromResult(Nodes.GetValueOrDefault(nodeId));

    public Task<IReadOnlyList<string>> ReadyNodesAsync(int max)
    {
        var ready = new List<string>(Math.Min(max, Nodes.Count));
        foreach (var n in Nodes.Values)
        {
            if (ready.Count >= max) break;
            if (n.Status == NodeStatus.Ready) ready.Add(n.Id);
        }
        return Task.FromResult<IReadOnlyList<string>>(ready);
    }

    public async Task<NodeInfo> SetAvailabilityAsync(string nodeId, NodeAvailability availability)
    {
        var info = Nodes.GetValueOrDefault(nodeId) ?? throw new KeyNotFoundException($"no node '{nodeId}'");
        if (info.Availability == availability) return info;
        info = info with { Availability = availability, Since = Now };
        await Changed(info, $"availability {availability.ToString().ToLowerInvariant()}");
        if (availability == NodeAvailability.Drain) await GrainFactory.GetGrain<INodeGrain>(nodeId).DrainAsync();
        return info;
    }

    public async Task HeartbeatMissedAsync(string nodeId, int consecutiveMisses, DateTimeOffset lastHeartbeat)
    {
        if (!Nodes.TryGetValue(nodeId, out var info) || info.Status == NodeStatus.Down) return;
        if (Now - lastHeartbeat >= _options.DownAfter)
        {
            await Changed(info with { Status = NodeStatus.Down, Since = Now },
                $"declared down: no heartbeat for {QuantityFormat.Duration(Now - lastHeartbeat)}");
            await GrainFactory.GetGrain<INodeGrain>(nodeId).DeclaredDownAsync();
        }
        else if (info.Status == NodeStatus.Ready && consecutiveMisses >= _options.SuspectAfterMissedHeartbeats)
        {
            await Changed(info with { Status = NodeStatus.Suspect, Since = Now }, $"suspect: {consecutiveMisses} heartbeats missed");
        }
    }

    public async Task HeartbeatRestoredAsync(string nodeId)
    {
        if (!Nodes.TryGetValue(nodeId, out var info) || info.Status == NodeStatus.Ready) return;
        await Changed(info with { Status = NodeStatus.Ready, Since = Now }, $"heartbeat restored after {info.Status.ToString().ToLowerInvariant()}");
    }

    public async Task RegisterServiceAsync(string service)
    {
        if (!_state.State.Services.Add(service)) return;
        await _state.WriteStateAsync();
        await _keepAlive.EnsureAsync();
    }

    public async Task UnregisterServiceAsync(string service)
    {
        if (_state.State.Services.Remove(service)) await _state.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> ListServicesAsync() =>
        Task.FromResult<IReadOnlyList<string>>(_state.State.Services.ToList());

    private async Task Changed(NodeInfo info, string message)
    {
        Nodes[info.Id] = info;
        await _state.WriteStateAsync();
        await Scheduler.NodeChangedAsync(info);
        _events.Publish(new NodeEvent(Now, info.Spec, info.Status, info.Availability, message));
    }
}
