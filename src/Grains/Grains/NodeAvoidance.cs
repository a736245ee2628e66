using Orca.Grains.Scheduling;

namespace Orca.Grains.Grains;

/// <summary>
/// SwarmKit's rule for crash loops: a node where tasks of the same service failed <see cref="MaxFailures"/> times
/// within <see cref="Window"/> is avoided for that service — a preference, not a constraint: tasks are placed
/// elsewhere when they can be, and there only when nothing else takes them. Held by the scheduler grain in memory
/// (lost with its activation, as SwarmKit's is with its leader).
/// </summary>
public sealed class NodeAvoidance
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>Per service, per node: the last <see cref="MaxFailures"/> failure times.</summary>
    private readonly Dictionary<string, Dictionary<string, Queue<DateTimeOffset>>> _failures = new(StringComparer.Ordinal);

    /// <summary>No failure is remembered: the scheduler's common case, which then does no work here at all.</summary>
    public bool IsEmpty => _failures.Count == 0;

    public void Failed(string service, string node, DateTimeOffset at)
    {
        if (!_failures.TryGetValue(service, out var nodes)) _failures[service] = nodes = new(StringComparer.Ordinal);
        if (!nodes.TryGetValue(node, out var times)) nodes[node] = times = new Queue<DateTimeOffset>();
        times.Enqueue(at);
        while (times.Count > MaxFailures) times.Dequeue();
    }

    /// <summary>The nodes to avoid for a service now, in id order; null when none.</summary>
    public List<string>? Avoided(string service, DateTimeOffset now)
    {
        if (!_failures.TryGetValue(service, out var nodes)) return null;
        List<string>? avoided = null;
        foreach (var (node, times) in nodes)
            if (times.Count(t => t > now - Window) >= MaxFailures) (avoided ??= []).Add(node);
        avoided?.Sort(StringComparer.Ordinal);
        return avoided;
    }

    /// <summary>The service's rules with one more constraint per avoided node (<c>node.id!=N</c>).</summary>
    public static PlacementRules Avoiding(PlacementRules rules, IReadOnlyList<string> nodes) => new()
    {
        Predicates = [.. rules.Predicates, .. nodes.Select(n => ((ParsedConstraint.Predicate)ConstraintParser.Parse($"node.id!={n}")).Value)],
        Limits = rules.Limits, SpreadLevels = rules.SpreadLevels, MaxReplicasPerNode = rules.MaxReplicasPerNode, Strategy = rules.Strategy,
    };

    /// <summary>Forgets failures older than the window.</summary>
    public void Prune(DateTimeOffset now)
    {
        foreach (var (service, nodes) in _failures.ToList())
        {
            foreach (var node in nodes.Where(kv => kv.Value.All(t => t <= now - Window)).Select(kv => kv.Key).ToList()) nodes.Remove(node);
            if (nodes.Count == 0) _failures.Remove(service);
        }
    }
}
