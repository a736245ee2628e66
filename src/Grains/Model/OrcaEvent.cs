using Orca.Grains.Runtime;

namespace Orca.Grains.Model;

/// <summary>Something that happened, published by grains to the host's event sink (events.csv, `orca events`).</summary>
public abstract record OrcaEvent(DateTimeOffset Time);

public sealed record TaskEvent(
    DateTimeOffset Time, string TaskId, string Service, int Slot, int SpecVersion,
    TaskState State, DesiredTaskState Desired, string? Node, Resources Resources, string? Message,
    IReadOnlyList<GenericResource>? Generic = null) : OrcaEvent(Time);

/// <summary>A node joined, changed (status, availability, spec) or, with <see cref="Removed"/>, left the cluster.</summary>
public sealed record NodeEvent(DateTimeOffset Time, NodeSpec Node, NodeStatus Status, NodeAvailability Availability, string Message,
    bool Removed = false) : OrcaEvent(Time);

public enum ServiceChange { Created, Updated, Scaled, Removed, UpdateStarted, UpdateCompleted }

public sealed record ServiceEvent(DateTimeOffset Time, ServiceSpec Spec, int Version, ServiceChange Change) : OrcaEvent(Time);

/// <summary>The scheduler could not place <see cref="Count"/> tasks of a service; <see cref="Reason"/> says which filter excluded how many nodes.</summary>
public sealed record PendingEvent(DateTimeOffset Time, string Service, int Count, string Reason) : OrcaEvent(Time);

/// <summary>An image pull on a node: started, part-way (at most every quarter of the bytes), done or failed.</summary>
public sealed record ImageEvent(DateTimeOffset Time, string Node, string Image, PullStage Stage, string Message) : OrcaEvent(Time);

/// <summary>A deployment (create, update or rollback of a service's spec) started or changed state.</summary>
public sealed record DeploymentEvent(DateTimeOffset Time, Reconciliation.DeploymentInfo Deployment) : OrcaEvent(Time);
