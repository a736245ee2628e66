using Orca.Grains.Model;
using Orca.Grains.Reconciliation;
using Orleans;

namespace Orca.Grains.Grains;

[GenerateSerializer, Alias("orca.ServiceGrainState")]
public sealed class ServiceGrainState
{
    [Id(0)] public ServiceSpec? Spec { get; set; }
    [Id(1)] public int Version { get; set; }

    /// <summary>Earlier versions' specs by version number (the current one is <see cref="Spec"/>): for inspection and
    /// rollback, and to rebuild what a task of an older version needs when it must be announced again.</summary>
    [Id(2)] public SortedDictionary<int, ServiceSpec> Versions { get; set; } = new();
    [Id(3)] public Dictionary<int, SlotState> Slots { get; set; } = new();

    /// <summary>The last generation started per slot number, kept when a slot is removed and when the service is
    /// removed and created again, so that a task id (service.slot.generation) is never used twice.</summary>
    [Id(4)] public Dictionary<int, int> LastGeneration { get; set; } = new();

    /// <summary>Tasks asked to shut down that have not ended yet.</summary>
    [Id(5)] public Dictionary<string, TaskInfo> Retiring { get; set; } = new(StringComparer.Ordinal);
    [Id(6)] public DateTimeOffset NextUpdateAt { get; set; }
    [Id(7)] public bool UpdateInProgress { get; set; }
    [Id(8)] public bool Removed { get; set; }

    /// <summary>The last deployments (create, updates, rollbacks), oldest first; the last one is the current one.</summary>
    [Id(9)] public List<Deployment> Deployments { get; set; } = [];
    [Id(10)] public int LastDeploymentId { get; set; }
}

[GenerateSerializer, Alias("orca.SlotState")]
public sealed class SlotState
{
    [Id(0)] public int Slot { get; set; }
    [Id(1)] public int Generation { get; set; } = -1;
    [Id(2)] public TaskInfo? Current { get; set; }
    [Id(3)] public TaskInfo? Previous { get; set; }
    [Id(4)] public List<DateTimeOffset> RestartTimes { get; set; } = [];
    [Id(5)] public bool Updating { get; set; }
}
