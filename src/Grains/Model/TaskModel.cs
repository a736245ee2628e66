using Orleans;
using System.Globalization;

namespace Orca.Grains.Model;

/// <summary>Task lifecycle: New → Pending → Assigned → Starting → Running → Complete | Failed | Shutdown | Orphaned.</summary>
public enum TaskState { New, Pending, Assigned, Starting, Running, Complete, Failed, Shutdown, Orphaned }

public enum DesiredTaskState { Running, Shutdown }

public static class TaskStates
{
    public static bool IsTerminal(this TaskState s) => s >= TaskState.Complete;
    public static bool IsActive(this TaskState s) => s < TaskState.Complete;

    /// <summary>Holds resources on a node (the scheduler counts it there).</summary>
    public static bool HoldsNode(this TaskState s) => s is TaskState.Assigned or TaskState.Starting or TaskState.Running;

    /// <summary>Legal transitions; the task grain asserts every change against this.</summary>
    public static bool CanMoveTo(this TaskState from, TaskState to) => from switch
    {
        _ when from.IsTerminal() => false,
        TaskState.New => to is TaskState.Pending || to.IsTerminal() && to != TaskState.Complete,
        TaskState.Pending => to is TaskState.Assigned or TaskState.Shutdown or TaskState.Failed,
        TaskState.Assigned => to is TaskState.Starting or TaskState.Running || to.IsTerminal(),
        TaskState.Starting => to is TaskState.Running || to.IsTerminal(),
        TaskState.Running => to.IsTerminal(),
        _ => false,
    };

    public static string Lower(this TaskState s) => s switch
    {
        TaskState.New => "new", TaskState.Pending => "pending", TaskState.Assigned => "assigned",
        TaskState.Starting => "starting", TaskState.Running => "running", TaskState.Complete => "complete",
        TaskState.Failed => "failed", TaskState.Shutdown => "shutdown", _ => "orphaned",
    };
}

/// <summary>Task ids are <c>service.slot.generation</c>: slot is the replica's identity, generation counts its replacements.</summary>
public static class TaskIds
{
    public static string Format(string service, int slot, int generation) =>
        string.Create(CultureInfo.InvariantCulture, $"{service}.{slot}.{generation}");
}

/// <summary>What a node needs to run one task.</summary>
[GenerateSerializer, Immutable, Alias("orca.TaskSpec")]
public sealed record TaskSpec(
    [property: Id(0)] string TaskId,
    [property: Id(1)] string Service,
    [property: Id(2)] int Slot,
    [property: Id(3)] int Generation,
    [property: Id(4)] int SpecVersion,
    [property: Id(5)] string Image,
    [property: Id(6)] Resources Resources,
    [property: Id(7)] IReadOnlyList<int> HostPorts,
    [property: Id(8)] IReadOnlyList<string> Command,
    [property: Id(9)] IReadOnlyDictionary<string, string> Env,
    [property: Id(10)] HealthCheck? Health = null,
    [property: Id(11)] NetworkMode Network = NetworkMode.Default,
    [property: Id(12)] IReadOnlyList<GenericResource>? Generic = null,
    [property: Id(13)] IReadOnlyList<GenericResource>? GenericGiven = null);

/// <summary>A task's observed status, as the task grain reports it to its service.</summary>
[GenerateSerializer, Immutable, Alias("orca.TaskInfo")]
public sealed record TaskInfo(
    [property: Id(0)] string TaskId,
    [property: Id(1)] int Slot,
    [property: Id(2)] int Generation,
    [property: Id(3)] int SpecVersion,
    [property: Id(4)] TaskState State,
    [property: Id(5)] DesiredTaskState Desired,
    [property: Id(6)] string? Node,
    [property: Id(7)] int? ExitCode,
    [property: Id(8)] string? Message,
    [property: Id(9)] DateTimeOffset Timestamp,
    [property: Id(10)] IReadOnlyList<GenericResource>? GenericGiven = null);
