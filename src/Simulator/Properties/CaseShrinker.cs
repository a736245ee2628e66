namespace Orca.Simulator.Properties;

/// <summary>
/// Shrinks a failing case towards a small, readable one: fewer faults, fewer services, fewer nodes (halves first,
/// then one at a time), fewer racks, fewer replicas, fewer constraints. FsCheck takes the first candidate that
/// still fails and shrinks again from there.
/// </summary>
public static class CaseShrinker
{
    public static IEnumerable<CheckCase> Shrink(CheckCase c)
    {
        foreach (var faults in Smaller(c.Faults)) yield return c with { Faults = faults };
        foreach (var services in Smaller(c.Services))
            if (services.Count > 0) yield return Consistent(c with { Services = services });
        foreach (var nodes in Smaller(c.Nodes))
            if (nodes.Count > 0) yield return Consistent(c with { Nodes = nodes });
        if (c.Racks > 1) yield return Consistent(c with { Nodes = c.Nodes.Select(n => n with { Rack = (n.Rack + 1) / 2, Zone = 1 }).ToList() });
        for (int i = 0; i < c.Services.Count; i++)
        {
            var s = c.Services[i];
            if (s.Replicas > 1) yield return With(c, i, s with { Replicas = s.Replicas / 2 });
            if (s.Replicas > 0) yield return With(c, i, s with { Replicas = s.Replicas - 1 });
            for (int k = 0; k < s.Constraints.Count; k++) yield return With(c, i, s with { Constraints = Without(s.Constraints, k) });
            for (int k = 0; k < s.Spread.Count; k++) yield return With(c, i, s with { Spread = Without(s.Spread, k) });
            if (s.MaxPerNode > 0) yield return With(c, i, s with { MaxPerNode = 0 });
            if (s.Port80) yield return With(c, i, s with { Port80 = false });
            if (s.Binpack) yield return With(c, i, s with { Binpack = false });
            if (s.Gpu > 0) yield return With(c, i, s with { Gpu = 0 });
            if (s.Topology is not null) yield return With(c, i, s with { Topology = null });
        }
        for (int i = 0; i < c.Nodes.Count; i++)
        {
            var n = c.Nodes[i];
            if (n.Down || n.Drained || n.Manager) yield return c with { Nodes = Replace(c.Nodes, i, n with { Down = false, Drained = false, Manager = false }) };
            if (n.Gpus > 0) yield return c with { Nodes = Replace(c.Nodes, i, n with { Gpus = 0 }) };
        }
    }

    /// <summary>Without the first half, without the second half, then without each element.</summary>
    private static IEnumerable<List<T>> Smaller<T>(IReadOnlyList<T> items)
    {
        if (items.Count == 0) yield break;
        if (items.Count > 2)
        {
            yield return items.Skip(items.Count / 2).ToList();
            yield return items.Take(items.Count / 2).ToList();
        }
        for (int i = items.Count - 1; i >= 0; i--) yield return Without(items, i);
    }

    /// <summary>Drops faults that name removed nodes, racks or services.</summary>
    private static CheckCase Consistent(CheckCase c)
    {
        var nodes = c.Nodes.Select(n => n.Id).ToHashSet();
        var racks = c.Nodes.Where(n => !n.Bare).Select(n => $"r{n.Rack}").ToHashSet();
        var services = c.Services.Select(s => s.Name).ToHashSet();
        return c with
        {
            Faults = c.Faults.Where(f => f.Kind switch
            {
                FaultCaseKind.CrashRack or FaultCaseKind.RecoverRack => racks.Contains(f.Target),
                FaultCaseKind.Scale or FaultCaseKind.Remove => services.Contains(f.Target),
                FaultCaseKind.CrashSilo or FaultCaseKind.RecoverSilo => true,
                _ => nodes.Contains(f.Target),
            }).ToList(),
        };
    }

    private static CheckCase With(CheckCase c, int i, ServiceCase s) => c with { Services = Replace(c.Services, i, s) };
    private static List<T> Without<T>(IReadOnlyList<T> items, int i) => items.Where((_, k) => k != i).ToList();
    private static List<T> Replace<T>(IReadOnlyList<T> items, int i, T value) => items.Select((x, k) => k == i ? value : x).ToList();
}
