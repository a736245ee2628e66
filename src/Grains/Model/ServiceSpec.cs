namespace Orca.Grains.Model;

public enum RestartCondition { Any, OnFailure, None }

/// <summary>Swarm's restart policy: when to replace an exited task, after what delay, how many times within a window
/// (<see cref="MaxAttempts"/> 0 = unlimited; <see cref="Window"/> zero = attempts counted over the whole life).</summary>
public sealed record RestartPolicy(RestartCondition Condition, TimeSpan Delay, int MaxAttempts, TimeSpan Window)
{
    public static readonly RestartPolicy Default = new(RestartCondition.Any, TimeSpan.FromSeconds(5), 0, TimeSpan.Zero);
}

public enum SchedulingStrategy { Spread, Binpack }

/// <summary>Where tasks may go: constraints in either dialect (Swarm <c>node.labels.rack==r1</c>, Marathon
/// <c>rack:UNIQUE</c>), nested spread preferences over labels, a cap per node and the scoring strategy.</summary>
public sealed record PlacementSpec(
    IReadOnlyList<string> Constraints,
    IReadOnlyList<string> Spread,
    int MaxReplicasPerNode = 0,
    SchedulingStrategy Strategy = SchedulingStrategy.Spread)
{
    public static readonly PlacementSpec None = new([], []);
}

public enum UpdateOrder { StopFirst, StartFirst }

/// <summary>Rolling update: how many slots at once, the pause between batches, and whether the old task stops first.</summary>
public sealed record UpdatePolicy(int Parallelism, TimeSpan Delay, UpdateOrder Order)
{
    public static readonly UpdatePolicy Default = new(1, TimeSpan.Zero, UpdateOrder.StopFirst);
}

/// <summary>The declared state of a replicated service.</summary>
public sealed record ServiceSpec(
    string Name,
    string Image,
    int Replicas,
    Resources Resources,
    PlacementSpec Placement,
    RestartPolicy Restart,
    UpdatePolicy Update,
    IReadOnlyList<int> HostPorts,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Env)
{
    public static ServiceSpec Create(string name, string image, int replicas, Resources resources, PlacementSpec? placement = null) =>
        new(name, image, replicas, resources, placement ?? PlacementSpec.None, RestartPolicy.Default, UpdatePolicy.Default,
            [], [], new Dictionary<string, string>());
}
