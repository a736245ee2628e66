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
public sealed record TaskSpec(
    string TaskId,
    string Service,
    int Slot,
    int Generation,
    int SpecVersion,
    string Image,
    Resources Resources,
    IReadOnlyList<int> HostPorts,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Env);

/// <summary>A task's observed status, as the task grain reports it to its service.</summary>
public sealed record TaskInfo(
    string TaskId,
    int Slot,
    int Generation,
    int SpecVersion,
    TaskState State,
    DesiredTaskState Desired,
    string? Node,
    int? ExitCode,
    string? Message,
    DateTimeOffset Timestamp);
