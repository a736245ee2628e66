using Orleans;
namespace Orca.Grains.Model;

public enum NodeRole { Worker, Manager }

/// <summary>What the failure detector believes: Ready, Suspect (missed heartbeats), Down (declared after the timeout).</summary>
public enum NodeStatus { Unknown, Ready, Suspect, Down }

/// <summary>What the operator wants: Active takes tasks, Pause takes no new ones, Drain moves its tasks away.</summary>
public enum NodeAvailability { Active, Pause, Drain }

/// <summary>A host as registered: capacity, labels (rack, zone, …), role and how to reach its container engine;
/// <see cref="Description"/> is what the engine says of itself (Swarm's node description).</summary>
[GenerateSerializer, Immutable, Alias("orca.NodeSpec")]
public sealed record NodeSpec(
    [property: Id(0)] string Id,
    [property: Id(1)] Resources Capacity,
    [property: Id(2)] IReadOnlyDictionary<string, string> Labels,
    [property: Id(3)] NodeRole Role = NodeRole.Worker,
    [property: Id(4)] string? Endpoint = null,
    [property: Id(5)] NodeDescription? Description = null,
    [property: Id(6)] IReadOnlyList<GenericResource>? Generic = null)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var v) ? v : null;

    /// <summary>Equal by value, labels included (record equality compares the label map by reference).</summary>
    public bool SameAs(NodeSpec? other) =>
        other is not null && Id == other.Id && Capacity == other.Capacity && Role == other.Role && Endpoint == other.Endpoint
        && SameMap(Labels, other.Labels) && NodeDescription.Same(Description, other.Description) && GenericResources.Same(Generic, other.Generic);

    internal static bool SameMap(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);
}

/// <summary>What a node's engine reports (<c>docker info</c>): host name, OS and architecture, the engine's own
/// labels (<c>engine.labels.*</c>, set in the daemon's configuration, distinct from the node labels Orca keeps), and
/// the address its tasks are reached at (<c>node.ip</c>).</summary>
[GenerateSerializer, Immutable, Alias("orca.NodeDescription")]
public sealed record NodeDescription(
    [property: Id(0)] string Hostname,
    [property: Id(1)] string Os,
    [property: Id(2)] string Arch,
    [property: Id(3)] IReadOnlyDictionary<string, string> EngineLabels,
    [property: Id(4)] string? Address = null)
{
    public static bool Same(NodeDescription? a, NodeDescription? b) =>
        a is null || b is null ? a is null && b is null
            : a.Hostname == b.Hostname && a.Os == b.Os && a.Arch == b.Arch && a.Address == b.Address && NodeSpec.SameMap(a.EngineLabels, b.EngineLabels);
}

/// <summary>A node as the cluster grain knows it.</summary>
[GenerateSerializer, Immutable, Alias("orca.NodeInfo")]
public sealed record NodeInfo([property: Id(0)] NodeSpec Spec, [property: Id(1)] NodeStatus Status, [property: Id(2)] NodeAvailability Availability, [property: Id(3)] DateTimeOffset Since)
{
    public string Id => Spec.Id;
    public bool Schedulable => Status == NodeStatus.Ready && Availability == NodeAvailability.Active;
}

/// <summary>A request to join a host as a node: capacity the user leaves out is what the host reports.</summary>
[GenerateSerializer, Immutable, Alias("orca.NodeJoin")]
public sealed record NodeJoin(
    [property: Id(0)] string Endpoint,
    [property: Id(1)] long? CpuMillis,
    [property: Id(2)] long? MemoryBytes,
    [property: Id(3)] IReadOnlyDictionary<string, string> Labels,
    [property: Id(4)] NodeRole Role = NodeRole.Worker,
    [property: Id(5)] string? Address = null,
    [property: Id(6)] IReadOnlyList<GenericResource>? Generic = null);

/// <summary>What <c>orca node update</c> changes (Swarm's <c>docker node update</c>): labels added or replaced, labels
/// removed, the role, the capacity. Left-out parts stay as they are.</summary>
[GenerateSerializer, Immutable, Alias("orca.NodeChange")]
public sealed record NodeChange(
    [property: Id(0)] IReadOnlyDictionary<string, string>? AddLabels = null,
    [property: Id(1)] IReadOnlyList<string>? RemoveLabels = null,
    [property: Id(2)] NodeRole? Role = null,
    [property: Id(3)] long? CpuMillis = null,
    [property: Id(4)] long? MemoryBytes = null,
    [property: Id(5)] IReadOnlyList<GenericResource>? Generic = null)
{
    /// <summary>The spec after the change; a label to remove that the node does not have is refused, as Swarm does.</summary>
    public NodeSpec ApplyTo(NodeSpec spec)
    {
        var labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal);
        foreach (var name in RemoveLabels ?? [])
            if (!labels.Remove(name)) throw new ArgumentException($"label-rm: node {spec.Id} has no label '{name}'");
        foreach (var (name, value) in AddLabels ?? new Dictionary<string, string>()) labels[name] = value;
        var capacity = new Resources(CpuMillis ?? spec.Capacity.CpuMillis, MemoryBytes ?? spec.Capacity.MemoryBytes);
        var generic = spec.Generic ?? GenericResources.None;
        if (Generic is { Count: > 0 }) // the kinds given replace the node's; a count of 0 removes the kind
            generic = [.. generic.Where(g => Generic.All(n => n.Kind != g.Kind)), .. Generic.Where(g => g.Count > 0)];
        var changed = spec with { Labels = labels, Role = Role ?? spec.Role, Capacity = capacity, Generic = generic.Count > 0 ? generic : null };
        NodeSpecValidator.Validate(changed);
        return changed;
    }
}
