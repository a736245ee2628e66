using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Grains.Scheduling;
using Orleans;
using TaskRequest = Orca.Grains.Scheduling.TaskRequest;
using Orleans.Concurrency;

namespace Orca.Grains.Grains;

/// <summary>Key "cluster": the node registry, the service registry, failure detection verdicts and drain.</summary>
[Alias("orca.IClusterGrain")]
public interface IClusterGrain : IGrainWithStringKey
{
    public const string Key = "cluster";
    Task<NodeInfo> AddNodeAsync(NodeSpec spec);
    Task<IReadOnlyList<NodeInfo>> ListNodesAsync();
    Task<NodeInfo?> GetNodeAsync(string nodeId);

    /// <summary>Up to <paramref name="max"/> ready nodes, in a stable order (whom to ask about an image).</summary>
    Task<IReadOnlyList<string>> ReadyNodesAsync(int max);
    Task<NodeInfo> SetAvailabilityAsync(string nodeId, NodeAvailability availability);

    /// <summary>Changes a node's labels, role or capacity; tasks the node no longer satisfies are moved away (the
    /// scheduler's constraint enforcer).</summary>
    Task<NodeInfo> UpdateNodeAsync(string nodeId, NodeChange change);

    /// <summary>Removes a node, as <c>docker node rm</c>: refused (InvalidOperationException) for a node that is not
    /// down and still runs tasks unless <paramref name="force"/>; its tasks are replaced elsewhere and its node grain
    /// stops their containers and forgets the host.</summary>
    Task RemoveNodeAsync(string nodeId, bool force);

    /// <summary>From a node grain that has stopped what it ran and forgotten its host after a removal.</summary>
    [OneWay] Task NodeRetiredAsync(string nodeId);
    [OneWay] Task HeartbeatMissedAsync(string nodeId, int consecutiveMisses, DateTimeOffset lastHeartbeat);
    [OneWay] Task HeartbeatRestoredAsync(string nodeId);

    /// <summary>Services known to the cluster (a service grain registers itself when created).</summary>
    Task RegisterServiceAsync(string service);
    [OneWay] Task UnregisterServiceAsync(string service);
    Task<IReadOnlyList<string>> ListServicesAsync();

    /// <summary>From the host, when a silo started or another was declared dead (<paramref name="cause"/> names the
    /// event; each is acted on once): every node and service grain resumes, so grains that lived on a dead silo come
    /// back on a survivor at once and every message the dead silo may have swallowed is asked again. A request, not a
    /// one-way message, so that a host whose call did not arrive (the directory still pointed at the dead silo) knows
    /// to try again.</summary>
    Task ResumeAllAsync(string cause);
}

/// <summary>Key: node id. One host: heartbeats, the containers it runs, through its <see cref="Runtime.IContainerDriver"/>.</summary>
[Alias("orca.INodeGrain")]
public interface INodeGrain : IGrainWithStringKey
{
    /// <summary>Asks the host at the endpoint about itself, then registers this node with the cluster grain; capacity
    /// left out of the request is what the host reports. Refused (ArgumentException) when the host does not answer:
    /// nothing is stored then.</summary>
    Task<NodeInfo> JoinAsync(NodeJoin join);

    /// <summary>Whether the host has the image or its registry knows it; a host that does not answer says neither.</summary>
    Task<ImageAnswer> ResolveImageAsync(string image);

    [OneWay] Task RegisterAsync(NodeSpec spec);
    [OneWay] Task StartTaskAsync(TaskSpec task);
    [OneWay] Task StopTaskAsync(string taskId, string reason);
    [OneWay] Task DeclaredDownAsync();
    [OneWay] Task DrainAsync();

    /// <summary>The node was removed from the cluster: stop every container it runs (their tasks are replaced), then
    /// forget the host and tell the cluster grain (<see cref="IClusterGrain.NodeRetiredAsync"/>). Idempotent.</summary>
    [OneWay] Task RetireAsync();

    /// <summary>From the host: a container died or was OOM-killed (Docker's event stream).</summary>
    [OneWay] Task ContainerEventAsync(ContainerEvent e);

    /// <summary>How an image pull for a container start goes (published as an image event).</summary>
    [OneWay] Task PullProgressAsync(PullProgress progress);

    /// <summary>The outcome of a container start or stop begun by this grain.</summary>
    [OneWay] Task ContainerStartedAsync(string taskId, string? containerId, string? error, bool hostUnreachable);
    [OneWay] Task ContainerStoppedAsync(string taskId, bool stopped);

    /// <summary>Activates the grain (an activation starts its heartbeat) and has it list its host's containers at the
    /// next heartbeat and settle them.</summary>
    [OneWay] Task ResumeAsync();

    /// <summary>From a running task that resumes: does this node still run it? If the task ended here its end is
    /// reported again (it may have been lost); if the node has no record of it, it is reported orphaned.</summary>
    [OneWay] Task ConfirmTaskAsync(string taskId);

    Task<IReadOnlyList<string>> ListTasksAsync();
}

public enum ContainerEventKind { Died, OutOfMemory, Healthy, Unhealthy }

/// <summary>A node's answer about an image: known (present, or known to its registry), unknown (with the reason), or
/// no answer at all (the host did not reply: it says nothing about the image).</summary>
[GenerateSerializer, Immutable, Alias("orca.ImageAnswer")]
public sealed record ImageAnswer([property: Id(0)] bool Answered, [property: Id(1)] bool Known, [property: Id(2)] string? Reason)
{
    public static readonly ImageAnswer Yes = new(true, true, null);
}

[GenerateSerializer, Immutable, Alias("orca.ContainerEvent")]
public sealed record ContainerEvent([property: Id(0)] string ContainerId, [property: Id(1)] string TaskId,
    [property: Id(2)] ContainerEventKind Kind, [property: Id(3)] int ExitCode);

/// <summary>Key: task id. The lifecycle state machine of one task.</summary>
[Alias("orca.ITaskGrain")]
public interface ITaskGrain : IGrainWithStringKey
{
    [OneWay] Task CreateAsync(TaskSpec spec, PlacementSpec placement);
    /// <summary>The scheduler placed the task on the node and gave it <paramref name="generic"/> (named units or counts
    /// of the generic resources it asks for).</summary>
    [OneWay] Task AssignAsync(string nodeId, IReadOnlyList<GenericResource>? generic = null);
    [OneWay] Task NodeReportAsync(TaskState state, int? exitCode, string? message);
    [OneWay] Task ShutdownAsync(string reason);
    [OneWay] Task OrphanAsync(string reason);

    /// <summary>From its service after either may have lost a message: a pending task queues again at the scheduler,
    /// an assigned or starting one asks its node again, a running one asks its node to confirm it; then it reports
    /// where it is to its service (all idempotent).</summary>
    [OneWay] Task ResumeAsync();
    Task<TaskInfo?> GetAsync();
}

/// <summary>Key: service name. Desired spec, version history, reconciliation, rolling update, restart policy.</summary>
[Alias("orca.IServiceGrain")]
public interface IServiceGrain : IGrainWithStringKey
{
    Task<ServiceInfo> CreateAsync(ServiceSpec spec);
    Task<ServiceInfo> UpdateAsync(ServiceSpec spec);
    Task<ServiceInfo> ScaleAsync(int replicas);
    Task RemoveAsync();
    Task<ServiceInfo?> GetAsync();
    [OneWay] Task TaskChangedAsync(TaskInfo task);

    /// <summary>The scheduler's answer to <see cref="ISchedulerGrain.DescribeSpreadAsync"/>.</summary>
    [OneWay] Task SpreadValuesAsync(Dictionary<string, string[]> values);

    /// <summary>Rolls back to the spec of an earlier version (default: the one before the current).</summary>
    Task<ServiceInfo> RollbackAsync(int? version);

    /// <summary>The last deployments, newest first.</summary>
    Task<IReadOnlyList<Orca.Grains.Reconciliation.DeploymentInfo>> ListDeploymentsAsync();

    /// <summary>Its live tasks as the scheduler must count them (a new scheduler activation rebuilds its view).</summary>
    Task<IReadOnlyList<TaskPlacement>> ListPlacementsAsync();

    /// <summary>Asks every task of the service again where it is (all idempotent: creation, placement, start, stop,
    /// a running task's node), then reconciles.</summary>
    [OneWay] Task ResumeAsync();
}

/// <summary>A live task and the node it holds resources on (null while it waits for one).</summary>
[GenerateSerializer, Immutable, Alias("orca.TaskPlacement")]
public sealed record TaskPlacement([property: Id(0)] TaskRequest Task, [property: Id(1)] string? Node,
    [property: Id(2)] IReadOnlyList<GenericResource>? GenericGiven = null);

/// <summary>Key "scheduler": places pending tasks in batches.</summary>
[Alias("orca.ISchedulerGrain")]
public interface ISchedulerGrain : IGrainWithStringKey
{
    public const string Key = "scheduler";
    [OneWay] Task EnqueueAsync(TaskRequest task);
    [OneWay] Task CancelAsync(string taskId);
    [OneWay] Task ReleaseAsync(string taskId);

    /// <summary>The task failed on its node (released too): counted towards avoiding that node for its service.</summary>
    [OneWay] Task TaskFailedAsync(string taskId);
    [OneWay] Task NodeChangedAsync(NodeInfo node);
    [OneWay] Task NodeRemovedAsync(string nodeId);
    Task<SchedulerStats> GetStatsAsync();

    /// <summary>Tells the service, by <see cref="IServiceGrain.SpreadValuesAsync"/>, each given node's value of every
    /// spread level of <paramref name="placement"/> (outermost first; "" where a node lacks it): what a scale-down
    /// balances over. One-way both ways: the scheduler, when it activates, asks services for their placements, so a
    /// service waiting on it could wait on itself.</summary>
    [OneWay] Task DescribeSpreadAsync(string service, PlacementSpec placement, IReadOnlyList<string> nodes);
}

[GenerateSerializer, Immutable, Alias("orca.SchedulerStats")]
public sealed record SchedulerStats([property: Id(0)] int Nodes, [property: Id(1)] int Assigned, [property: Id(2)] int Pending,
    [property: Id(3)] long Placed, [property: Id(4)] long Batches);

/// <summary>A service as reported to users.</summary>
[GenerateSerializer, Immutable, Alias("orca.ServiceInfo")]
public sealed record ServiceInfo([property: Id(0)] ServiceSpec Spec, [property: Id(1)] int Version, [property: Id(2)] int Running,
    [property: Id(3)] int Pending, [property: Id(4)] bool UpdateInProgress, [property: Id(5)] IReadOnlyList<TaskInfo> Tasks,
    [property: Id(6)] Orca.Grains.Reconciliation.DeploymentInfo? Deployment = null);
