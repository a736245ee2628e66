using Orleans;
namespace Orca.Grains.Model;

public enum RestartCondition { Any, OnFailure, None }

/// <summary>Swarm's restart policy: when to replace an exited task, after what delay, how many times within a window
/// (<see cref="MaxAttempts"/> 0 = unlimited; <see cref="Window"/> zero = attempts counted over the whole life).</summary>
[GenerateSerializer, Immutable, Alias("orca.RestartPolicy")]
public sealed record RestartPolicy([property: Id(0)] RestartCondition Condition, [property: Id(1)] TimeSpan Delay, [property: Id(2)] int MaxAttempts, [property: Id(3)] TimeSpan Window)
{
    public static readonly RestartPolicy Default = new(RestartCondition.Any, TimeSpan.FromSeconds(5), 0, TimeSpan.Zero);
}

public enum SchedulingStrategy { Spread, Binpack }

/// <summary>Where tasks may go: constraints in either dialect (Swarm <c>node.labels.rack==r1</c>, Marathon
/// <c>rack:UNIQUE</c>), nested spread preferences over labels, a cap per node and the scoring strategy.</summary>
[GenerateSerializer, Immutable, Alias("orca.PlacementSpec")]
public sealed record PlacementSpec(
    [property: Id(0)] IReadOnlyList<string> Constraints,
    [property: Id(1)] IReadOnlyList<string> Spread,
    [property: Id(2)] int MaxReplicasPerNode = 0,
    [property: Id(3)] SchedulingStrategy Strategy = SchedulingStrategy.Spread,
    [property: Id(4)] IReadOnlyList<string>? TopologySpread = null)
{
    public static readonly PlacementSpec None = new([], []);
}

public enum UpdateOrder { StopFirst, StartFirst }

/// <summary>What a deployment does when too many of its tasks fail (Swarm's update-failure-action).</summary>
public enum FailureAction { Pause, Continue, Rollback }

/// <summary>Rolling update (or rollback) with Swarm's names and defaults: how many slots at once, the pause between
/// batches, whether the old task stops first, and how failures are judged: a task of the new version that ends
/// before it has run for <see cref="MonitorPeriod"/> has failed; more than <see cref="MaxFailureRatio"/> of the
/// slots failed triggers <see cref="FailureAction"/>.</summary>
[GenerateSerializer, Immutable, Alias("orca.UpdatePolicy")]
public sealed record UpdatePolicy(
    [property: Id(0)] int Parallelism,
    [property: Id(1)] TimeSpan Delay,
    [property: Id(2)] UpdateOrder Order,
    [property: Id(3)] FailureAction FailureAction = FailureAction.Pause,
    [property: Id(4)] TimeSpan? Monitor = null,
    [property: Id(5)] double MaxFailureRatio = 0)
{
    public static readonly UpdatePolicy Default = new(1, TimeSpan.Zero, UpdateOrder.StopFirst);

    public static readonly TimeSpan DefaultMonitor = TimeSpan.FromSeconds(5);

    /// <summary>How long a new task must run before it counts as healthy (Swarm's default: 5s).</summary>
    public TimeSpan MonitorPeriod => Monitor ?? DefaultMonitor;
}

/// <summary>Docker's network modes a task may run in: Docker's default (the engine's default network, where
/// <see cref="ServiceSpec.HostPorts"/> are published), the node's own network stack (host: ports are the node's, Docker
/// publishes nothing, the scheduler still keeps two tasks off one port), or none.</summary>
public enum NetworkMode { Default, Host, None }

/// <summary>The declared state of a replicated service.</summary>
[GenerateSerializer, Immutable, Alias("orca.ServiceSpec")]
public sealed record ServiceSpec(
    [property: Id(0)] string Name,
    [property: Id(1)] string Image,
    [property: Id(2)] int Replicas,
    [property: Id(3)] Resources Resources,
    [property: Id(4)] PlacementSpec Placement,
    [property: Id(5)] RestartPolicy Restart,
    [property: Id(6)] UpdatePolicy Update,
    [property: Id(7)] IReadOnlyList<int> HostPorts,
    [property: Id(8)] IReadOnlyList<string> Command,
    [property: Id(9)] IReadOnlyDictionary<string, string> Env,
    [property: Id(10)] UpdatePolicy? Rollback = null,
    [property: Id(11)] HealthCheck? Health = null,
    [property: Id(12)] NetworkMode Network = NetworkMode.Default,
    [property: Id(13)] IReadOnlyList<GenericResource>? Generic = null)
{
    /// <summary>How a rollback rolls (Swarm's rollback-* settings; the same defaults as an update).</summary>
    public UpdatePolicy RollbackPolicy => Rollback ?? UpdatePolicy.Default;

    public static ServiceSpec Create(string name, string image, int replicas, Resources resources, PlacementSpec? placement = null) =>
        new(name, image, replicas, resources, placement ?? PlacementSpec.None, RestartPolicy.Default, UpdatePolicy.Default,
            [], [], new Dictionary<string, string>());
}
