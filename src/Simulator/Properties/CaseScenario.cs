using System.Globalization;
using System.Text;
using Orca.Grains.Model;
using Orca.Grains.Scheduling;

namespace Orca.Simulator.Properties;

/// <summary>Turns a case into what the scheduler and the simulator take: node specs, service specs, scheduler
/// requests, and the scenario CSV that replays it with <c>orca sim run</c>.</summary>
public static class CaseScenario
{
    public static NodeSpec Spec(NodeCase n)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["disk"] = n.Ssd ? "ssd" : "hdd" };
        if (!n.Bare)
        {
            labels["rack"] = $"r{n.Rack}";
            labels["zone"] = $"z{n.Zone}";
        }
        return new NodeSpec(n.Id, new Resources(n.CpuMillis, n.MemoryMi << 20), labels, n.Manager ? NodeRole.Manager : NodeRole.Worker,
            Generic: n.Gpus > 0 ? [new GenericResource("gpu", n.Gpus, GpuNames(n))] : null);
    }

    public static PlacementSpec Placement(ServiceCase s) =>
        new(s.Constraints, s.Spread, s.MaxPerNode, s.Binpack ? SchedulingStrategy.Binpack : SchedulingStrategy.Spread,
            s.Topology is null ? null : [s.Topology]);

    public static IEnumerable<TaskRequest> Requests(ServiceCase s, int replicas) =>
        Enumerable.Range(1, replicas).Select(i => new TaskRequest($"{s.Name}.{i}.0", s.Name, 1, s.ImageName,
            new Resources(s.CpuMillis, s.MemoryMi << 20), s.Port80 ? [80] : [], Placement(s), s.Gpu > 0 ? [new GenericResource("gpu", s.Gpu)] : null));

    private static string[] GpuNames(NodeCase n) => [.. Enumerable.Range(0, n.Gpus).Select(g => $"GPU-{g}")];

    /// <summary>The scheduler's view of the case's cluster: down nodes are down, drained ones drained.</summary>
    public static SchedulingState Cluster(IEnumerable<NodeCase> nodes, bool keepTrees = true)
    {
        var state = new SchedulingState { KeepsTrees = keepTrees };
        foreach (var n in nodes)
            state.Upsert(new NodeInfo(Spec(n), n.Down ? NodeStatus.Down : NodeStatus.Ready,
                n.Drained ? NodeAvailability.Drain : NodeAvailability.Active, default));
        return state;
    }

    /// <summary>The case as a scenario. Services are created at <paramref name="servicesAt"/>; faults at their times;
    /// <paramref name="expects"/> rows (target, checks) and the end at <paramref name="end"/>.</summary>
    public static string ToCsv(CheckCase c, IEnumerable<string> header, TimeSpan servicesAt, TimeSpan end,
        IReadOnlyCollection<string> disabledFilters, IEnumerable<(string Target, string Checks)> expects)
    {
        var csv = new StringBuilder();
        foreach (var line in header) csv.Append("# ").Append(line).Append('\n');
        csv.Append(string.Join(",", Scenarios.ScenarioParser.Header)).Append('\n');
        if (c.HasSiloFaults) csv.Append(Inv($"0s,config,sim,silos={CheckCase.SiloCount}\n"));
        if (disabledFilters.Count > 0)
            csv.Append("0s,config,sim,").Append(string.Join(" ", disabledFilters.Select(f => $"disable-filter={f}"))).Append('\n');
        foreach (var n in c.Nodes)
            csv.Append(Inv($"0s,add-node,{n.Id},cpu={n.CpuMillis}m memory={n.MemoryMi}Mi {(n.Bare ? "" : $"rack=r{n.Rack} zone=z{n.Zone} ")}label=disk={(n.Ssd ? "ssd" : "hdd")} role={(n.Manager ? "manager" : "worker")}{string.Concat(GpuNames(n).Select(g => " generic=gpu=" + g))}\n"));
        var down = c.Nodes.Where(n => n.Down).Select(n => n.Id).ToList();
        var drained = c.Nodes.Where(n => n.Drained).Select(n => n.Id).ToList();
        if (down.Count > 0) csv.Append("0s,crash,").Append(string.Join(';', down)).Append(",\n");
        if (drained.Count > 0) csv.Append("0s,drain,").Append(string.Join(';', drained)).Append(",\n");
        var at = Time(servicesAt);
        foreach (var s in c.Services) csv.Append($"{at},create-service,{s.Name},{ServiceParams(s)}\n");
        var removed = new HashSet<string>();
        var racks = c.Nodes.Where(n => !n.Bare).Select(n => $"r{n.Rack}").ToHashSet(); // a rack of bare nodes only is no rack
        var crashedSilos = new HashSet<string>();
        var removedNodes = new HashSet<string>();
        var ssd = c.Nodes.ToDictionary(n => n.Id, n => n.Ssd);
        foreach (var f in c.Faults)
        {
            if (f.IsNodeOperation && removedNodes.Contains(f.Target)) continue; // the parser refuses changes to a removed node
            if (f.Kind == FaultCaseKind.RemoveNode)
            {
                removedNodes.Add(f.Target);
                var node = c.Nodes.First(n => n.Id == f.Target);
                // a rack whose every node is removed selects nothing: drop it, as a rack of bare nodes only
                if (!node.Bare && c.Nodes.Where(n => !n.Bare && n.Rack == node.Rack).All(n => removedNodes.Contains(n.Id))) racks.Remove($"r{node.Rack}");
            }
            // Never every silo at once: with no control plane left, a user's call would fail, not wait.
            if (f.Kind == FaultCaseKind.CrashSilo && (crashedSilos.Contains(f.Target) || crashedSilos.Count == CheckCase.SiloCount - 1)) continue;
            if (f.Kind == FaultCaseKind.CrashSilo) crashedSilos.Add(f.Target);
            if (f.Kind == FaultCaseKind.RecoverSilo) crashedSilos.Remove(f.Target);
            if (f.Kind is FaultCaseKind.CrashRack or FaultCaseKind.RecoverRack && !racks.Contains(f.Target)) continue;
            if (f.Kind == FaultCaseKind.Relabel) ssd[f.Target] = !ssd[f.Target];
            var row = f.Kind == FaultCaseKind.Relabel ? $"update-node,{f.Target},label-add=disk={(ssd[f.Target] ? "ssd" : "hdd")}" : FaultRow(f, removed);
            if (row is not null) csv.Append(Inv($"{f.AtSeconds}s,{row}\n"));
        }
        var endAt = Time(end);
        foreach (var (target, checks) in expects) csv.Append($"{endAt},expect,{target},{checks}\n");
        csv.Append($"{endAt},end,,\n");
        return csv.ToString();
    }

    private static string ServiceParams(ServiceCase s)
    {
        var p = new List<string> { Inv($"replicas={s.Replicas}"), Inv($"cpu={s.CpuMillis}m"), Inv($"memory={s.MemoryMi}Mi"), $"image={s.ImageName}" };
        p.AddRange(s.Constraints.Select(x => $"constraint={x}"));
        p.AddRange(s.Spread.Select(x => $"spread={x}"));
        if (s.MaxPerNode > 0) p.Add(Inv($"max-per-node={s.MaxPerNode}"));
        if (s.Binpack) p.Add("strategy=binpack");
        if (s.Port80) p.Add("port=80");
        if (s.Gpu > 0) p.Add(Inv($"generic=gpu={s.Gpu}"));
        if (s.Topology is not null) p.Add($"topology-spread={s.Topology}");
        return string.Join(" ", p);
    }

    /// <summary>The row of one fault; null for a change to a service already removed.</summary>
    private static string? FaultRow(FaultCase f, HashSet<string> removed) => f.Kind switch
    {
        FaultCaseKind.Crash => $"crash,{f.Target},",
        FaultCaseKind.Recover => $"recover,{f.Target},",
        FaultCaseKind.CrashRack => $"crash-rack,{f.Target},",
        FaultCaseKind.RecoverRack => $"recover-rack,{f.Target},",
        FaultCaseKind.Partition => $"partition,{f.Target},",
        FaultCaseKind.Heal => $"heal,{f.Target},",
        FaultCaseKind.Drain => $"drain,{f.Target},",
        FaultCaseKind.Activate => $"activate,{f.Target},",
        FaultCaseKind.Scale => removed.Contains(f.Target) ? null : Inv($"scale,{f.Target},replicas={f.Replicas}"),
        FaultCaseKind.CrashSilo => $"crash-silo,{f.Target},",
        FaultCaseKind.RecoverSilo => $"recover-silo,{f.Target},",
        FaultCaseKind.RemoveNode => $"remove-node,{f.Target},force=true",
        FaultCaseKind.Cordon => $"cordon,{f.Target},",
        _ => removed.Add(f.Target) ? $"remove-service,{f.Target}," : null,
    };

    private static string Time(TimeSpan t) => Inv($"{(long)t.TotalSeconds}s");
    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
