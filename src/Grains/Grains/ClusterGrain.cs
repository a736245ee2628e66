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

    /// <summary>Removed nodes whose node grain has not yet said it stopped their containers and forgot the host.</summary>
    [Id(2)] public SortedSet<string> Retiring { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The node registry, the service registry and the arbiter of node health. Node grains report missed and restored
/// heartbeats; this grain decides Suspect (no new tasks) after <see cref="OrcaOptions.SuspectAfterMissedHeartbeats"/>
/// misses and Down (tasks replaced elsewhere) once <see cref="OrcaOptions.DownAfter"/> has passed since the last good
/// heartbeat. It is the one place the control plane resumes from: told that a silo started or another was declared dead
/// (or, failing that, at its first keep-alive reminder), it has every node grain settle its host's containers and
/// every service grain ask its tasks again where they are.
/// </summary>
public sealed class ClusterGrain : Grain, IClusterGrain, IRemindable
{
    private readonly IPersistentState<ClusterGrainState> _state;
    private readonly TimeProvider _time;
    private readonly IEventSink _events;
    private readonly OrcaOptions _options;
    private readonly KeepAlive _keepAlive;
    private readonly HashSet<string> _causes = new(StringComparer.Ordinal);
    private readonly OrcaMetrics _metrics;

    /// <summary>The status each node is counted under in <see cref="OrcaMetrics.Nodes"/> by this activation.</summary>
    private readonly Dictionary<string, NodeStatus> _counted = new(StringComparer.Ordinal);
    private bool _resumed;

    public ClusterGrain(IGrainContext context, IGrainRuntime runtime,
        [PersistentState("cluster", OrcaStorage.Name)] IPersistentState<ClusterGrainState> state,
        TimeProvider time, IEventSink events, OrcaOptions options, OrcaMetrics metrics) : base(context, runtime)
    {
        _metrics = metrics;
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
        // A cluster with nothing in it has nothing to resume; otherwise the activation resumes everything at its first
        // keep-alive reminder unless a silo's start or a silo's loss has made it do so before.
        // Every status has a series from the start, zero included, so a scrape after a restart shows "0 down", not nothing.
        foreach (var status in new[] { NodeStatus.Ready, NodeStatus.Suspect, NodeStatus.Down })
            _metrics.Nodes.Add(0, new KeyValuePair<string, object?>("status", Lower(status)));
        foreach (var n in Nodes.Values) Count(n);
        _resumed = Nodes.Count == 0 && _state.State.Services.Count == 0;
        if (!_resumed) await _keepAlive.EnsureAsync();
    }

    /// <summary>The durable wake-up: after the silo of this grain died and nobody told the survivors' new activation
    /// to resume, its first reminder does.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!_resumed) await ResumeEverythingAsync();
    }

    public async Task ResumeAllAsync(string cause)
    {
        if (!_causes.Add(cause)) return; // every survivor reports the same death
        await ResumeEverythingAsync();
    }

    /// <summary>The one resume routine: every node grain lists its host and settles its containers, every service grain
    /// asks its tasks again where they are. Both are idempotent.</summary>
    private async Task ResumeEverythingAsync()
    {
        _resumed = true;
        foreach (var info in Nodes.Values.OrderBy(n => n.Id, StringComparer.Ordinal))
        {
            var node = GrainFactory.GetGrain<INodeGrain>(info.Id);
            await node.ResumeAsync();
            // Verdicts and drains sent to a grain of a dead silo were lost with it: say them again (both idempotent).
            if (info.Status == NodeStatus.Down) await node.DeclaredDownAsync();
            if (info.Availability == NodeAvailability.Drain) await node.DrainAsync();
        }
        foreach (var id in _state.State.Retiring) await GrainFactory.GetGrain<INodeGrain>(id).RetireAsync();
        foreach (var service in _state.State.Services) await GrainFactory.GetGrain<IServiceGrain>(service).ResumeAsync();
    }

    public async Task<NodeInfo> AddNodeAsync(NodeSpec spec)
    {
        NodeSpecValidator.Validate(spec);
        if (_state.State.Retiring.Contains(spec.Id))
            throw new InvalidOperationException($"node {spec.Id} is being removed; add it again once it is gone");
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

    public async Task<NodeInfo> UpdateNodeAsync(string nodeId, NodeChange change)
    {
        var info = Nodes.GetValueOrDefault(nodeId) ?? throw new KeyNotFoundException($"no node '{nodeId}'");
        var spec = change.ApplyTo(info.Spec);
        if (spec.SameAs(info.Spec)) return info;
        info = info with { Spec = spec };
        await GrainFactory.GetGrain<INodeGrain>(nodeId).RegisterAsync(spec);
        await Changed(info, "node updated: " + Describe(change));
        return info;
    }

    private static string Describe(NodeChange c)
    {
        var parts = new List<string>();
        foreach (var (k, v) in c.AddLabels ?? new Dictionary<string, string>()) parts.Add($"label {k}={v}");
        foreach (var k in c.RemoveLabels ?? []) parts.Add($"label {k} removed");
        if (c.Role is { } role) parts.Add($"role {role.ToString().ToLowerInvariant()}");
        if (c.CpuMillis is { } cpu) parts.Add($"cpu {QuantityFormat.Cpu(cpu)}");
        if (c.MemoryBytes is { } memory) parts.Add($"memory {QuantityFormat.Bytes(memory)}");
        return string.Join(", ", parts);
    }

    public async Task RemoveNodeAsync(string nodeId, bool force)
    {
        var info = Nodes.GetValueOrDefault(nodeId) ?? throw new KeyNotFoundException($"no node '{nodeId}'");
        if (!force && info.Status != NodeStatus.Down && info.Availability != NodeAvailability.Drain)
            throw new InvalidOperationException(
                $"node {nodeId} is {Lower(info.Status)} and {info.Availability.ToString().ToLowerInvariant()}: drain it first (orca node drain {nodeId}) or remove it with --force, which moves its tasks away");
        Nodes.Remove(nodeId);
        _state.State.Retiring.Add(nodeId);
        if (_counted.Remove(nodeId, out var was)) _metrics.Nodes.Add(-1, new KeyValuePair<string, object?>("status", Lower(was)));
        await _state.WriteStateAsync();
        await Scheduler.NodeRemovedAsync(nodeId);
        await GrainFactory.GetGrain<INodeGrain>(nodeId).RetireAsync();
        _events.Publish(new NodeEvent(Now, info.Spec, info.Status, info.Availability, force ? "node removed (forced)" : "node removed", Removed: true));
    }

    public async Task NodeRetiredAsync(string nodeId)
    {
        if (_state.State.Retiring.Remove(nodeId)) await _state.WriteStateAsync();
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

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        foreach (var status in _counted.Values) _metrics.Nodes.Add(-1, new KeyValuePair<string, object?>("status", Lower(status)));
        _counted.Clear();
        return Task.CompletedTask;
    }

    private void Count(NodeInfo info)
    {
        if (_counted.TryGetValue(info.Id, out var was))
        {
            if (was == info.Status) return;
            _metrics.Nodes.Add(-1, new KeyValuePair<string, object?>("status", Lower(was)));
        }
        _counted[info.Id] = info.Status;
        _metrics.Nodes.Add(1, new KeyValuePair<string, object?>("status", Lower(info.Status)));
    }

    private static string Lower(NodeStatus s) => s switch
    {
        NodeStatus.Ready => "ready", NodeStatus.Suspect => "suspect", NodeStatus.Down => "down", _ => "unknown",
    };

    private async Task Changed(NodeInfo info, string message)
    {
        Nodes[info.Id] = info;
        Count(info);
        await _state.WriteStateAsync();
        await Scheduler.NodeChangedAsync(info);
        _events.Publish(new NodeEvent(Now, info.Spec, info.Status, info.Availability, message));
    }
}
