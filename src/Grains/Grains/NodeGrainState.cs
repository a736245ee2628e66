using Orca.Grains.Model;
using Orleans;

namespace Orca.Grains.Grains;

[GenerateSerializer, Alias("orca.NodeGrainState")]
public sealed class NodeGrainState
{
    [Id(0)] public NodeSpec? Spec { get; set; }
    [Id(1)] public Dictionary<string, NodeTask> Tasks { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public bool DeclaredDown { get; set; }

    /// <summary>The host incarnation seen at the last heartbeat.</summary>
    [Id(3)] public string? HostIncarnation { get; set; }

    /// <summary>What each task needs to run, kept until its container is recorded, so that a start lost with its
    /// activation (the silo died between create and start, or before either) is made again.</summary>
    [Id(4)] public Dictionary<string, TaskSpec> Starts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How the latest tasks that left this node ended (at most <see cref="EndedKept"/>), so that an
    /// end whose report was lost with a silo can be reported again when the task asks.</summary>
    [Id(5)] public Dictionary<string, NodeTaskEnd> Ended { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the node was removed: since then it stops what it runs, then forgets the host.</summary>
    [Id(6)] public DateTimeOffset? RetiringSince { get; set; }

    public const int EndedKept = 256;

    /// <summary>Drops a task but for how it ended; past <see cref="EndedKept"/> ends the oldest goes (ties by id).</summary>
    public void Forget(string taskId, NodeTaskEnd end)
    {
        Tasks.Remove(taskId);
        Starts.Remove(taskId);
        Ended[taskId] = end;
        if (Ended.Count <= EndedKept) return;
        string? oldest = null;
        DateTimeOffset oldestAt = default;
        foreach (var (id, e) in Ended)
            if (oldest is null || e.At < oldestAt || e.At == oldestAt && string.CompareOrdinal(id, oldest) < 0)
                (oldest, oldestAt) = (id, e.At);
        Ended.Remove(oldest!);
    }
}

[GenerateSerializer, Immutable, Alias("orca.NodeTaskEnd")]
public sealed record NodeTaskEnd([property: Id(0)] TaskState State, [property: Id(1)] int? ExitCode, [property: Id(2)] string? Message,
    [property: Id(3)] DateTimeOffset At);

/// <summary>A task this node was asked to run. <see cref="StopReason"/> is set once a stop was asked for;
/// <see cref="WaitsForHealth"/>: it has a health check that has not passed yet, so it is not reported running.</summary>
[GenerateSerializer, Immutable, Alias("orca.NodeTask")]
public sealed record NodeTask([property: Id(0)] string TaskId, [property: Id(1)] string? ContainerId, [property: Id(2)] string? StopReason,
    [property: Id(3)] bool WaitsForHealth = false);
