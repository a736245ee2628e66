using Orleans;
namespace Orca.Grains.Model;

public enum NodeRole { Worker, Manager }

/// <summary>What the failure detector believes: Ready, Suspect (missed heartbeats), Down (declared after the timeout).</summary>
public enum NodeStatus { Unknown, Ready, Suspect, Down }

/// <summary>What the operator wants: Active takes tasks, Pause takes no new ones, Drain moves its tasks away.</summary>
public enum NodeAvailability { Active, Pause, Drain }

/// <summary>A host as registered: capacity, labels (rack, zone, …), role and how to reach its container engine.</summary>
[GenerateSerializer, Immutable, Alias("orca.NodeSpec")]
public sealed record NodeSpec(
    [property: Id(0)] string Id,
    [property: Id(1)] Resources Capacity,
    [property: Id(2)] IReadOnlyDictionary<string, string> Labels,
    [property: Id(3)] NodeRole Role = NodeRole.Worker,
    [property: Id(4)] string? Endpoint = null)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var v) ? v : null;

    /// <summary>Equal by value, labels included (record equality compares the label map by reference).</summary>
    public bool SameAs(NodeSpec? other) =>
        other is not null && Id == other.Id && Capacity == other.Capacity && Role == other.Role && Endpoint == other.Endpoint
        && Labels.Count == other.Labels.Count && Labels.All(kv => other.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
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
    [property: Id(4)] NodeRole Role = NodeRole.Worker);
