using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Grains.Scheduling;

namespace Orca.Grains.Grains;

/// <summary>Key "cluster": the node registry, topology, failure detection verdicts and drain.</summary>
public interface IClusterGrain : IGrainWithStringKey
{
    public const string Key = "cluster";
    Task<NodeInfo> AddNodeAsync(NodeSpec spec);
    Task<IReadOnlyList<NodeInfo>> ListNodesAsync();
    Task<NodeInfo?> GetNodeAsync(string nodeId);
    Task<NodeInfo> SetAvailabilityAsync(string nodeId, NodeAvailability availability);
    [OneWay] Task HeartbeatMissedAsync(string nodeId, int consecutiveMisses, DateTimeOffset lastHeartbeat);
    [OneWay] Task HeartbeatRestoredAsync(string nodeId);

    /// <summary>After grains moved between silos: tell the scheduler every node again and wake every node grain.</summary>
    [OneWay] Task ResumeAsync();
}

/// <summary>Key: node id. One host: heartbeats, the containers it runs, through its <see cref="IContainerDriver"/>.</summary>
public interface INodeGrain : IGrainWithStringKey
{
    [OneWay] Task RegisterAsync(NodeSpec spec);
    [OneWay] Task StartTaskAsync(TaskSpec task);
    [OneWay] Task StopTaskAsync(string taskId, string reason);
    [OneWay] Task DeclaredDownAsync();
    [OneWay] Task DrainAsync();

    /// <summary>From the host: a container died, was OOM-killed or started (Docker's event stream).</summary>
    [OneWay] Task ContainerEventAsync(ContainerEvent e);

    /// <summary>The outcome of a container start or stop begun by this grain.</summary>
    [OneWay] Task ContainerStartedAsync(string taskId, string? containerId, string? error, bool hostUnreachable);
    [OneWay] Task ContainerStoppedAsync(string taskId);

    Task<IReadOnlyList<string>> ListTasksAsync();
}

public enum ContainerEventKind { Died, OutOfMemory }

public sealed record ContainerEvent(string ContainerId, string TaskId, ContainerEventKind Kind, int ExitCode);

/// <summary>Key: task id. The lifecycle state machine of one task.</summary>
public interface ITaskGrain : IGrainWithStringKey
{
    [OneWay] Task CreateAsync(TaskSpec spec, PlacementSpec placement);
    [OneWay] Task AssignAsync(string nodeId);
    [OneWay] Task NodeReportAsync(TaskState state, int? exitCode, string? message);
    [OneWay] Task ShutdownAsync(string reason);
    [OneWay] Task OrphanAsync(string reason);

    /// <summary>After a control-plane restart: a pending task queues again, a placed one tells the scheduler where it is.</summary>
    [OneWay] Task ResumeAsync();
    Task<TaskInfo?> GetAsync();
}

/// <summary>Key: service name. Desired spec, version history, reconciliation, rolling update, restart policy.</summary>
public interface IServiceGrain : IGrainWithStringKey
{
    Task<ServiceInfo> CreateAsync(ServiceSpec spec);
    Task<ServiceInfo> UpdateAsync(ServiceSpec spec);
    Task<ServiceInfo> ScaleAsync(int replicas);
    Task RemoveAsync();
    Task<ServiceInfo?> GetAsync();
    [OneWay] Task TaskChangedAsync(TaskInfo task);

    /// <summary>After grains moved between silos: its live tasks re-announce themselves to the scheduler; it reconciles.</summary>
    [OneWay] Task ResumeAsync();
}

/// <summary>Key "scheduler": places pending tasks in batches.</summary>
public interface ISchedulerGrain : IGrainWithStringKey
{
    public const string Key = "scheduler";
    [OneWay] Task EnqueueAsync(TaskRequest task);
    [OneWay] Task CancelAsync(string taskId);
    [OneWay] Task ReleaseAsync(string taskId);
    [OneWay] Task NodeChangedAsync(NodeInfo node);

    /// <summary>Records a task already placed (after a control-plane restart the scheduler's view is rebuilt from the tasks).</summary>
    [OneWay] Task RestoreAsync(TaskRequest task, string nodeId);
    Task<SchedulerStats> GetStatsAsync();
}

public sealed record SchedulerStats(int Nodes, int Assigned, int Pending, long Placed, long Batches);

/// <summary>A service as reported to users.</summary>
public sealed record ServiceInfo(ServiceSpec Spec, int Version, int Running, int Pending, bool UpdateInProgress, IReadOnlyList<TaskInfo> Tasks);
