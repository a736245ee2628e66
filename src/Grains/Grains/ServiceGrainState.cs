using Orca.Grains.Model;

namespace Orca.Grains.Grains;

public sealed class ServiceGrainState
{
    public ServiceSpec? Spec { get; set; }
    public int Version { get; set; }

    /// <summary>Earlier specs, oldest first (for inspection and rollback).</summary>
    public List<ServiceSpec> History { get; set; } = [];
    public Dictionary<int, SlotState> Slots { get; set; } = new();

    /// <summary>The last generation started per slot number, kept when a slot is removed and when the service is
    /// removed and created again, so that a task id (service.slot.generation) is never used twice.</summary>
    public Dictionary<int, int> LastGeneration { get; set; } = new();

    /// <summary>Tasks asked to shut down that have not ended yet.</summary>
    public Dictionary<string, TaskInfo> Retiring { get; set; } = new(StringComparer.Ordinal);
    public DateTimeOffset NextUpdateAt { get; set; }
    public bool UpdateInProgress { get; set; }
    public bool Removed { get; set; }
}

public sealed class SlotState
{
    public int Slot { get; set; }
    public int Generation { get; set; } = -1;
    public TaskInfo? Current { get; set; }
    public TaskInfo? Previous { get; set; }
    public List<DateTimeOffset> RestartTimes { get; set; } = [];
    public bool Updating { get; set; }
}
