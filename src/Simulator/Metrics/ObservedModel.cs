using Orca.Grains.Model;
using Orca.Grains.Scheduling;

namespace Orca.Simulator.Metrics;

/// <summary>A node as the published events show it.</summary>
public sealed class ObservedNode(NodeSpec spec, string rack)
{
    public NodeSpec Spec { get; set; } = spec;
    public string Rack { get; set; } = rack;

    /// <summary>Removed from the cluster (its tasks must leave it).</summary>
    public bool Removed { get; set; }
    public NodeStatus Status { get; set; } = NodeStatus.Ready;
    public NodeAvailability Availability { get; set; } = NodeAvailability.Active;
    public DateTimeOffset StatusSince { get; set; }
    public long CpuUsed { get; set; }
    public long MemoryUsed { get; set; }

    /// <summary>Units of each generic resource kind asked by the tasks it holds.</summary>
    public Dictionary<string, long> GenericUsed { get; } = new(StringComparer.Ordinal);

    /// <summary>Tasks assigned, starting or running here.</summary>
    public int Holding { get; set; }
    public int Running { get; set; }
}

/// <summary>A task as the published events show it (only while it has not ended).</summary>
public sealed class ObservedTask(string id, ObservedService service, int slot)
{
    public string Id { get; } = id;
    public ObservedService Service { get; } = service;
    public int Slot { get; } = slot;
    public ObservedNode? Node { get; set; }
    public TaskState State { get; set; } = TaskState.New;
    public DesiredTaskState Desired { get; set; }
    public Resources Resources { get; set; }
    public IReadOnlyList<GenericResource>? Generic { get; set; }
    public bool CountsRunning => State == TaskState.Running && Desired == DesiredTaskState.Running;
}

/// <summary>A service as the published events show it.</summary>
public sealed class ObservedService(string name)
{
    public string Name { get; } = name;
    public ServiceSpec? Spec { get; set; }
    public PlacementRules Rules { get; set; } = PlacementRules.None;
    public int Desired { get; set; }
    public int Running { get; set; }
    public int Pending { get; set; }
    public int Restarts { get; set; }
    public bool Updating { get; set; }

    /// <summary>The fewest replicas running (and healthy) at any instant while an update or rollback was under way;
    /// null before the first.</summary>
    public int? UpdateMinRunning { get; set; }

    public void NoteRunningWhileUpdating()
    {
        if (Updating && (UpdateMinRunning is not { } min || Running < min)) UpdateMinRunning = Running;
    }

    public bool Removed { get; set; }
    public DateTimeOffset DesiredChangedAt { get; set; }
    public string? PendingReason { get; set; }

    /// <summary>The service's newest deployment as last reported.</summary>
    public Orca.Grains.Reconciliation.DeploymentInfo? Deployment { get; set; }
    public int Version { get; set; }
    public Dictionary<ObservedNode, int> Holding { get; } = new();
    public Dictionary<int, int> RunningPerSlot { get; } = new();
    public Dictionary<int, TaskState> LastEndPerSlot { get; } = new();
    public TimeSpan? WorstConvergence { get; set; }
}

/// <summary>A disruptive fault and, per service it cost replicas, when the service was whole again.</summary>
public sealed class ObservedFault(TimeSpan at, string description)
{
    public TimeSpan At { get; } = at;
    public string Description { get; } = description;
    public Dictionary<ObservedService, TimeSpan?> Affected { get; } = new();
    public bool Closed { get; set; }

    public TimeSpan? ConvergedAfter =>
        Affected.Count == 0 ? TimeSpan.Zero
        : Affected.Values.Any(v => v is null) ? null
        : Affected.Values.Max()!.Value - At;
}

public sealed record Violation(TimeSpan At, string Invariant, string Subject, string Detail);
