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

    private readonly Dictionary<(string Service, string Node), Queue<DateTimeOffset>> _failures = new();

    public void Failed(string service, string node, DateTimeOffset at)
    {
        if (!_failures.TryGetValue((service, node), out var times)) _failures[(service, node)] = times = new Queue<DateTimeOffset>();
        times.Enqueue(at);
        while (times.Count > MaxFailures) times.Dequeue();
    }

    /// <summary>The nodes to avoid for a service now (none for most services: the common case allocates nothing).</summary>
    public List<string>? Avoided(string service, DateTimeOffset now)
    {
        List<string>? avoided = null;
        foreach (var ((s, node), times) in _failures)
        {
            if (s != service) continue;
            int recent = times.Count(t => t > now - Window);
            if (recent >= MaxFailures) (avoided ??= []).Add(node);
        }
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
        foreach (var key in _failures.Where(kv => kv.Value.All(t => t <= now - Window)).Select(kv => kv.Key).ToList()) _failures.Remove(key);
    }
}
