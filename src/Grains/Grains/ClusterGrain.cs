using Orca.Grains.Model;
using Orca.Grains.Runtime;

namespace Orca.Grains.Grains;

public sealed class ClusterGrainState
{
    public Dictionary<string, NodeInfo> Nodes { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The node registry and the arbiter of node health. Node grains report missed and restored heartbeats; this grain
/// decides Suspect (no new tasks) after <see cref="OrcaOptions.SuspectAfterMissedHeartbeats"/> misses and Down
/// (tasks replaced elsewhere) once <see cref="OrcaOptions.DownAfter"/> has passed since the last good heartbeat.
/// </summary>
public sealed class ClusterGrain : Grain, IClusterGrain
{
    private readonly IPersistentState<ClusterGrainState> _state;

    public ClusterGrain(IGrainContext context, GrainServices services) : base(context) =>
        _state = PersistentState<ClusterGrainState>("cluster", services.Store);

    private Dictionary<string, NodeInfo> Nodes => _state.State.Nodes;
    private ISchedulerGrain Scheduler => GrainFactory.GetGrain<ISchedulerGrain>(ISchedulerGrain.Key);

    public override Task OnActivateAsync() => ResumeAsync();

    public async Task ResumeAsync()
    {
        // A restarted control plane tells the scheduler what it knows and wakes every node grain (heartbeats resume).
        foreach (var node in Nodes.Values.OrderBy(n => n.Id, StringComparer.Ordinal))
        {
            await Scheduler.NodeChangedAsync(node);
            await GrainFactory.GetGrain<INodeGrain>(node.Id).RegisterAsync(node.Spec);
        }
    }

    public async Task<NodeInfo> AddNodeAsync(NodeSpec spec)
    {
        NodeSpecValidator.Validate(spec);
        var info = Nodes.TryGetValue(spec.Id, out var existing)
            ? existing with { Spec = spec }
            : new NodeInfo(spec, NodeStatus.Ready, NodeAvailability.Active, Now);
        Nodes[spec.Id] = info;
        await _state.WriteStateAsync();
        await GrainFactory.GetGrain<INodeGrain>(spec.Id).RegisterAsync(spec);
        await Changed(info, existing is null ? "node added" : "node updated");
        return info;
    }

    public Task<IReadOnlyList<NodeInfo>> ListNodesAsync() =>
        Task.FromResult<IReadOnlyList<NodeInfo>>(Nodes.Values.OrderBy(n => n.Id, StringComparer.Ordinal).ToList());

    public Task<NodeInfo?> GetNodeAsync(string nodeId) => Task.FromResult(Nodes.GetValueOrDefault(nodeId));

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
        var options = Context.Options;
        if (Now - lastHeartbeat >= options.DownAfter)
        {
            await Changed(info with { Status = NodeStatus.Down, Since = Now },
                $"declared down: no heartbeat for {QuantityFormat.Duration(Now - lastHeartbeat)}");
            await GrainFactory.GetGrain<INodeGrain>(nodeId).DeclaredDownAsync();
        }
        else if (info.Status == NodeStatus.Ready && consecutiveMisses >= options.SuspectAfterMissedHeartbeats)
        {
            await Changed(info with { Status = NodeStatus.Suspect, Since = Now }, $"suspect: {consecutiveMisses} heartbeats missed");
        }
    }

    public async Task HeartbeatRestoredAsync(string nodeId)
    {
        if (!Nodes.TryGetValue(nodeId, out var info) || info.Status == NodeStatus.Ready) return;
        await Changed(info with { Status = NodeStatus.Ready, Since = Now }, $"heartbeat restored after {info.Status.ToString().ToLowerInvariant()}");
    }

    private async Task Changed(NodeInfo info, string message)
    {
        Nodes[info.Id] = info;
        await _state.WriteStateAsync();
        await Scheduler.NodeChangedAsync(info);
        Context.Events.Publish(new NodeEvent(Now, info.Spec, info.Status, info.Availability, message));
    }
}
