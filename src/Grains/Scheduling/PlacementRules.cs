using Orca.Grains.Model;

namespace Orca.Grains.Scheduling;

/// <summary>At most <see cref="MaxPerValue"/> tasks of the service on nodes sharing one value of <see cref="Attribute"/>
/// (Marathon <c>UNIQUE</c> is 1, <c>MAX_PER:n</c> is n).</summary>
public sealed record AttributeLimit(NodeAttribute Attribute, int MaxPerValue, string Text);

/// <summary>The service's tasks use at most <see cref="MaxValues"/> values of <see cref="Attribute"/>: Marathon
/// <c>GROUP_BY:N</c> (N groups; the spread over them is the attribute's spread level) and <c>CLUSTER</c> without a value
/// (1: every task on the value the first one took). Nodes without the attribute are out.</summary>
public sealed record ValueCap(NodeAttribute Attribute, int MaxValues, string Text);

/// <summary>A service's placement spec, parsed once: static predicates, attribute limits, spread levels (outermost first).</summary>
public sealed class PlacementRules
{
    public required IReadOnlyList<NodePredicate> Predicates { get; init; }
    public required IReadOnlyList<AttributeLimit> Limits { get; init; }
    public IReadOnlyList<ValueCap> Caps { get; init; } = [];
    public required IReadOnlyList<NodeAttribute> SpreadLevels { get; init; }
    public int MaxReplicasPerNode { get; init; }

    /// <summary>Kubernetes topology spread constraints that refuse (DoNotSchedule); ScheduleAnyway ones are spread levels.</summary>
    public IReadOnlyList<TopologySpread> Topology { get; init; } = [];
    public SchedulingStrategy Strategy { get; init; }

    /// <summary>The <see cref="SpreadLayout"/> key of these rules, worked out once.</summary>
    internal string? LayoutKey { get; set; }

    public static readonly PlacementRules None = new() { Predicates = [], Limits = [], SpreadLevels = [] };

    /// <summary>Parses every constraint and spread preference; throws <see cref="ConstraintException"/> naming the first bad one.</summary>
    public static PlacementRules Parse(PlacementSpec spec)
    {
        var predicates = new List<NodePredicate>();
        var limits = new List<AttributeLimit>();
        var spread = new List<NodeAttribute>();
        var caps = new List<ValueCap>();
        foreach (var text in spec.Constraints)
        {
            switch (ConstraintParser.Parse(text))
            {
                case ParsedConstraint.Predicate p: predicates.Add(p.Value); break;
                case ParsedConstraint.Limit l: limits.Add(l.Value); break;
                case ParsedConstraint.GroupBy g:
                    if (!spread.Contains(g.Attribute)) spread.Add(g.Attribute);
                    if (g.Groups is { } n) caps.Add(new ValueCap(g.Attribute, n, text.Trim()));
                    break;
                case ParsedConstraint.Pin p: caps.Add(new ValueCap(p.Attribute, 1, text.Trim())); break;
            }
        }
        foreach (var text in spec.Spread)
        {
            var field = text.Trim();
            if (field.StartsWith("spread=", StringComparison.Ordinal)) field = field["spread=".Length..];
            var attribute = NodeAttribute.ParseEither(field)
                ?? throw new ConstraintException($"invalid spread preference '{text}': expected a node attribute such as node.labels.rack or rack");
            if (!spread.Contains(attribute)) spread.Add(attribute);
        }
        // A DoNotSchedule key is also the outermost spread level (the even spread is the preference, the skew the
        // limit); a ScheduleAnyway key is a spread level only, after the others.
        var topology = new List<TopologySpread>();
        foreach (var text in spec.TopologySpread ?? [])
        {
            var t = TopologySpread.Parse(text);
            if (t.Hard) topology.Add(t);
            else if (!spread.Contains(t.Key)) spread.Add(t.Key);
        }
        var hardKeys = topology.Select(t => t.Key).Distinct().ToList();
        spread = [.. hardKeys, .. spread.Where(a => !hardKeys.Contains(a))];
        if (spec.MaxReplicasPerNode < 0)
            throw new ConstraintException($"invalid max replicas per node {spec.MaxReplicasPerNode}: expected 0 (no limit) or more");
        return new PlacementRules
        {
            Predicates = predicates, Limits = limits, SpreadLevels = spread, Caps = caps, Topology = topology,
            MaxReplicasPerNode = spec.MaxReplicasPerNode, Strategy = spec.Strategy,
        };
    }
}
