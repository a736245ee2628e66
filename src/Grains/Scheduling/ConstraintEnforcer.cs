using Orca.Grains.Model;

namespace Orca.Grains.Scheduling;

/// <summary>A task on a node that no longer takes it, and why.</summary>
public sealed record Noncompliant(Assignment Assignment, string Reason);

/// <summary>
/// SwarmKit's constraint enforcer: after a node changed (labels, role, capacity), the tasks on it that it no longer
/// satisfies are to be moved away. A task is kept while the node matches its constraints and, counting tasks in the
/// order they were assigned, there is still cpu and memory for it and the generic resources it was given; the rest are rejected (SwarmKit keeps them in
/// store order, which it notes is arbitrary; the oldest-first order here keeps the long-placed tasks). A paused or
/// draining node is left alone (drain moves everything; pause keeps what runs), as is a node declared down (its tasks
/// are replaced already). The constraints are those of the task's own spec version: changing a service's constraints
/// rolls all its tasks, so they are the service's current ones except for tasks an update has not reached yet.
/// </summary>
public static class ConstraintEnforcer
{
    /// <summary>Its name for <see cref="FilterSet"/> (mutation tests switch it off to see the checks catch that).</summary>
    public const string Name = "enforcer";

    public static List<Noncompliant> Check(SchedulingState state, SchedulingNode node, Func<TaskRequest, PlacementRules?> rulesOf)
    {
        var rejected = new List<Noncompliant>();
        if (node.Availability != NodeAvailability.Active || node.Status == NodeStatus.Down || node.TaskIds.Count == 0) return rejected;
        var free = node.Spec.Capacity;
        Dictionary<string, long>? genericLeft = null;
        HashSet<(string, string)>? namesHeld = null;
        foreach (var a in state.TasksOn(node))
        {
            if (rulesOf(a.Task) is { } rules && FirstUnmet(rules, node.Spec) is { } unmet)
            {
                rejected.Add(new Noncompliant(a, $"node {node.Id} no longer satisfies {unmet}"));
                continue;
            }
            if (!a.Resources.FitsWithin(free))
            {
                rejected.Add(new Noncompliant(a, $"node {node.Id} no longer has room for it ({a.Resources} asked, capacity {node.Spec.Capacity})"));
                continue;
            }
            if (Missing(a.Generic, node.Spec, genericLeft ??= new(StringComparer.Ordinal), namesHeld ??= []) is { } lost)
            {
                rejected.Add(new Noncompliant(a, $"node {node.Id} no longer has the {lost} it was given"));
                continue;
            }
            free -= a.Resources;
            Hold(a.Generic, genericLeft, namesHeld);
        }
        return rejected;
    }

    /// <summary>The first kind of which the node, after what earlier tasks hold, lacks what the task was given: fewer
    /// units left than its count, or one of its named units gone or held already.</summary>
    private static string? Missing(IReadOnlyList<GenericResource>? given, NodeSpec node, Dictionary<string, long> used, HashSet<(string, string)> held)
    {
        foreach (var g in given ?? [])
        {
            if (g.Names is not null)
            {
                var pool = node.Generic?.FirstOrDefault(p => p.Kind == g.Kind)?.Names;
                foreach (var name in g.Names)
                    if (pool is null || !pool.Contains(name) || held.Contains((g.Kind, name))) return $"{g.Kind} {name}";
            }
            else if (node.Generic.CountOf(g.Kind) - used.GetValueOrDefault(g.Kind) < g.Count) return g.Kind;
        }
        return null;
    }

    private static void Hold(IReadOnlyList<GenericResource>? given, Dictionary<string, long> used, HashSet<(string, string)> held)
    {
        foreach (var g in given ?? [])
        {
            used[g.Kind] = used.GetValueOrDefault(g.Kind) + g.Count;
            foreach (var name in g.Names ?? []) held.Add((g.Kind, name));
        }
    }

    private static string? FirstUnmet(PlacementRules rules, NodeSpec node)
    {
        foreach (var p in rules.Predicates)
            if (!p.Matches(node)) return p.Text;
        return null;
    }
}
