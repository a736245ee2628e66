using Orleans;
using Orca.Grains.Model;

namespace Orca.Grains.Scheduling;

/// <summary>A task waiting for a node.</summary>
[GenerateSerializer, Immutable, Alias("orca.TaskRequest")]
public sealed record TaskRequest(
    [property: Id(0)] string TaskId, [property: Id(1)] string Service, [property: Id(2)] int SpecVersion, [property: Id(3)] string Image, [property: Id(4)] Resources Resources,
    [property: Id(5)] IReadOnlyList<int> HostPorts, [property: Id(6)] PlacementSpec Placement,
    [property: Id(7)] IReadOnlyList<GenericResource>? Generic = null)
{
    public static TaskRequest For(TaskSpec task, PlacementSpec placement) =>
        new(task.TaskId, task.Service, task.SpecVersion, task.Image, task.Resources, task.HostPorts, placement,
            task.Generic is { Count: > 0 } ? task.Generic : null);
}

/// <summary>Tasks of one service version that no node could take, and why (which filter excluded how many nodes).</summary>
public sealed record UnplacedTasks(string Service, int SpecVersion, IReadOnlyList<TaskRequest> Tasks, string Reason);

/// <summary>What one placement run decided. Nothing is applied until the caller applies it.</summary>
public sealed class PlacementResult
{
    public List<(TaskRequest Task, string NodeId)> Placed { get; } = [];
    public List<UnplacedTasks> Unplaced { get; } = [];

    /// <summary>Writes the decisions into the state (Swarm's <c>applySchedulingDecisions</c>).</summary>
    public void ApplyTo(SchedulingState state)
    {
        foreach (var (task, nodeId) in Placed)
            state.Assign(task, nodeId);
    }
}
