using Orca.Grains.Model;

namespace Orca.Grains.Scheduling;

/// <summary>One node as the scheduler sees it: spec, status, what is allocated on it.</summary>
public sealed class SchedulingNode(NodeSpec spec)
{
    public NodeSpec Spec { get; internal set; } = spec;
    public NodeStatus Status { get; internal set; } = NodeStatus.Ready;
    public NodeAvailability Availability { get; internal set; } = NodeAvailability.Active;
    public Resources Allocated { get; internal set; }
    public int TaskCount { get; internal set; }
    internal HashSet<int>? Ports { get; set; }
    internal HashSet<string> Images { get; } = new(StringComparer.Ordinal);

    /// <summary>The tasks assigned here (for the constraint enforcer and node removal).</summary>
    internal HashSet<string> TaskIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Units of each generic resource kind held by tasks here, and the named units among them.</summary>
    private Dictionary<string, long>? _genericUsed;
    private HashSet<(string Kind, string Name)>? _namesTaken;

    /// <summary>Units of <paramref name="kind"/> not held by any task (0 when the node has none).</summary>
    public long GenericFree(string kind) => Spec.Generic.CountOf(kind) - (_genericUsed?.GetValueOrDefault(kind) ?? 0);

    /// <summary>Takes what the task asks: the given units (a task assigned before), else the first free named units
    /// in the node's order, or a count.</summary>
    internal IReadOnlyList<GenericResource>? Claim(IReadOnlyList<GenericResource>? asks, IReadOnlyList<GenericResource>? given)
    {
        if (asks is not { Count: > 0 } && given is not { Count: > 0 }) return null;
        var claimed = given ?? [.. asks!.Select(Choose)];
        _genericUsed ??= new(StringComparer.Ordinal);
        foreach (var g in claimed)
        {
            _genericUsed[g.Kind] = _genericUsed.GetValueOrDefault(g.Kind) + g.Count;
            foreach (var name in g.Names ?? []) (_namesTaken ??= []).Add((g.Kind, name));
        }
        return claimed;
    }

    private GenericResource Choose(GenericResource ask)
    {
        var pool = Spec.Generic?.FirstOrDefault(g => g.Kind == ask.Kind);
        if (pool?.Names is not { } names) return new GenericResource(ask.Kind, ask.Count);
        var free = names.Where(n => _namesTaken?.Contains((ask.Kind, n)) != true).Take((int)Math.Min(ask.Count, int.MaxValue)).ToList();
        return new GenericResource(ask.Kind, free.Count, free);
    }

    internal void Unclaim(IReadOnlyList<GenericResource>? claimed)
    {
        foreach (var g in claimed ?? [])
        {
            _genericUsed![g.Kind] -= g.Count;
            foreach (var name in g.Names ?? []) _namesTaken!.Remove((g.Kind, name));
        }
    }

    /// <summary>Position in <see cref="SchedulingState.Nodes"/> (nodes sorted by id).</summary>
    public int Index { get; internal set; }

    public string Id => Spec.Id;

    /// <summary>What the batch being placed has put here so far; valid only for the batch whose stamp it carries
    /// (<see cref="BatchOverlay"/>), so a batch costs nothing on the nodes it leaves alone.</summary>
    internal NodeBatchDelta? BatchDelta { get; set; }
    public bool UsesPort(int port) => Ports is not null && Ports.Contains(port);
    public bool HasImage(string image) => Images.Contains(image);
}

/// <summary>One node's share of a batch's placements, reused from batch to batch; the lists only for the nodes
/// that need them.</summary>
internal sealed class NodeBatchDelta
{
    public long Stamp;
    public long Cpu, Memory;
    public int Tasks;
    public List<int>? Ports;
    public List<(string Kind, long Count)>? Generic;
    private string? _image;
    private List<string>? _moreImages;

    public bool HasImage(string image) => _image == image || _moreImages?.Contains(image) == true;

    public void AddImage(string image)
    {
        if (_image is null) _image = image;
        else if (!HasImage(image)) (_moreImages ??= []).Add(image);
    }

    public void Reset(long stamp)
    {
        Stamp = stamp;
        Cpu = Memory = 0;
        Tasks = 0;
        Ports?.Clear();
        Generic?.Clear();
        _image = null;
        _moreImages?.Clear();
    }
}
