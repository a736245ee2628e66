using Orca.Grains.Scheduling;
using Orca.Simulator.Metrics;
using Orca.Simulator.Scenarios;

namespace Orca.Simulator.Properties;

/// <summary>
/// Properties 7–10: reconciliation under a generated fault schedule, run on the simulator. The four properties
/// judge the same runs, so each case is simulated once and remembered.
/// </summary>
public static class ReconciliationProperties
{
    public static readonly TimeSpan ServicesAt = TimeSpan.FromSeconds(10);

    /// <summary>After the last fault: one detection timeout, the scheduling delay, image pulls and starts, with margin.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMinutes(2);

    public static TimeSpan End(CheckCase c) => TimeSpan.FromSeconds(c.Faults.Select(f => f.AtSeconds).DefaultIfEmpty(60).Max()) + Settle;

    private static readonly Dictionary<string, SimulationResult> Runs = new();
    private static readonly Queue<string> RunOrder = new();
    private static readonly Lock RunsLock = new();

    /// <summary>Runs remembered, so the four properties judge one simulation per case even at 10,000 cases (a run's result is a few KiB).</summary>
    private const int MaxRemembered = 20_000;

    public static string ToScenario(CheckCase c, CheckContext ctx, IReadOnlyList<string> header)
    {
        var expected = Expected(c);
        var expects = new List<(string, string)> { ("cluster", "violations=0") };
        if (expected.Ample)
            expects.AddRange(expected.Running.Select(kv => (kv.Key, $"running={kv.Value}")));
        return CaseScenario.ToCsv(c, header, ServicesAt, End(c), ctx.DisabledFilters, expects);
    }

    public static SimulationResult Simulate(CheckCase c, CheckContext ctx)
    {
        var csv = ToScenario(c, ctx, []);
        lock (RunsLock)
            if (Runs.TryGetValue(csv, out var known)) return known;
        var result = Simulation.Run(ScenarioParser.Parse(csv, "case.csv"), new SimulationOptions { Seed = 1 });
        lock (RunsLock)
        {
            if (Runs.TryAdd(csv, result)) RunOrder.Enqueue(csv);
            while (RunOrder.Count > MaxRemembered) Runs.Remove(RunOrder.Dequeue());
        }
        return result;
    }

    private static string? Violations(SimulationResult r, params string[] invariants)
    {
        var hit = r.Violations.Where(v => invariants.Contains(v.Invariant)).Take(3).ToList();
        return hit.Count == 0 ? null
            : string.Join("; ", hit.Select(v => $"{v.Invariant} at {v.At.TotalSeconds:0.###}s {v.Subject}: {v.Detail}"));
    }

    /// <summary>7. Eventual convergence: after the last fault has settled, each service runs min(desired, what the live
    /// cluster can hold under its constraints), and no invariant broke on the way (a relabelled or removed node keeping
    /// tasks it no longer satisfies included). The count is judged when
    /// resources cannot bind (every node could hold every task that may land on it); otherwise only the invariants.</summary>
    public static string? Converges(CheckCase c, CheckContext ctx)
    {
        var r = Simulate(c, ctx);
        var broken = Violations(r, SimObserver.Overcommit, SimObserver.HardConstraint, SimObserver.RunningAboveDesired,
            SimObserver.GrainFault, SimObserver.StepRejected, SimObserver.StalePlacement);
        if (broken is not null) return broken;
        var expected = Expected(c);
        if (!expected.Ample) return null;
        foreach (var (service, running) in expected.Running)
        {
            var actual = r.Summary.Services.FirstOrDefault(s => s.Name == service);
            if (actual is null || actual.Running != running)
                return $"{service} runs {actual?.Running ?? 0} at the end, the live cluster can hold {running} of {actual?.Desired} desired" +
                       (actual?.PendingReason is { } why ? $" (pending: {why})" : "");
        }
        return null;
    }

    /// <summary>8. No duplicates: a slot never has two running tasks (Orca's view) nor two running containers (the hosts').</summary>
    public static string? NoDuplicates(CheckCase c, CheckContext ctx) =>
        Violations(Simulate(c, ctx), SimObserver.DuplicateSlot, GroundTruthCheck.DuplicateContainer);

    /// <summary>9. Nothing counts as running on a node declared down; a recovered node resurrects nothing; every task
    /// Orca counts as running has its container.</summary>
    public static string? NothingOnDownNodes(CheckCase c, CheckContext ctx) =>
        Violations(Simulate(c, ctx), SimObserver.RunningOnDownNode, GroundTruthCheck.OrphanContainer, GroundTruthCheck.LostContainer);

    /// <summary>10. Nothing lost: every service's desired state at the end is what was last declared for it.</summary>
    public static string? NothingLost(CheckCase c, CheckContext ctx)
    {
        var r = Simulate(c, ctx);
        foreach (var (service, desired) in FinalDesired(c))
        {
            var s = r.Summary.Services.FirstOrDefault(x => x.Name == service);
            if (desired is null && s is { Removed: false }) return $"{service} was removed but still exists";
            if (desired is { } d && (s is null || s.Removed || s.Desired != d)) return $"{service} should want {d} replicas, wants {s?.Desired.ToString() ?? "nothing (lost)"}";
        }
        return null;
    }

    /// <summary>The last declared replicas per service (null: removed).</summary>
    public static Dictionary<string, int?> FinalDesired(CheckCase c)
    {
        var desired = c.Services.ToDictionary(s => s.Name, s => (int?)s.Replicas);
        foreach (var f in c.Faults)
        {
            if (desired.GetValueOrDefault(f.Target, -1) is null) continue;
            if (f.Kind == FaultCaseKind.Scale) desired[f.Target] = f.Replicas;
            if (f.Kind == FaultCaseKind.Remove) desired[f.Target] = null;
        }
        return desired;
    }

    /// <summary>The nodes that take tasks when the schedule is over.</summary>
    public static List<NodeCase> LiveNodes(CheckCase c)
    {
        var crashed = c.Nodes.Where(n => n.Down).Select(n => n.Id).ToHashSet();
        var partitioned = new HashSet<string>();
        var drained = c.Nodes.Where(n => n.Drained).Select(n => n.Id).ToHashSet();
        var removed = new HashSet<string>();
        var ssd = c.Nodes.ToDictionary(n => n.Id, n => n.Ssd);
        foreach (var f in c.Faults)
        {
            if (f.Kind is FaultCaseKind.CrashSilo or FaultCaseKind.RecoverSilo or FaultCaseKind.Scale or FaultCaseKind.Remove) continue;
            if (f.IsNodeOperation && removed.Contains(f.Target)) continue;
            if (f.Kind == FaultCaseKind.RemoveNode) removed.Add(f.Target);
            if (f.Kind == FaultCaseKind.Relabel) ssd[f.Target] = !ssd[f.Target];
            var targets = f.Kind is FaultCaseKind.CrashRack or FaultCaseKind.RecoverRack
                ? c.Nodes.Where(n => !n.Bare && $"r{n.Rack}" == f.Target && !removed.Contains(n.Id)).Select(n => n.Id).ToList() : [f.Target];
            foreach (var id in targets)
            {
                _ = f.Kind switch
                {
                    FaultCaseKind.Crash or FaultCaseKind.CrashRack => crashed.Add(id),
                    FaultCaseKind.Recover or FaultCaseKind.RecoverRack => crashed.Remove(id),
                    FaultCaseKind.Partition => partitioned.Add(id),
                    FaultCaseKind.Heal => partitioned.Remove(id),
                    FaultCaseKind.Drain or FaultCaseKind.Cordon => drained.Add(id), // neither takes new tasks
                    FaultCaseKind.Activate => drained.Remove(id),
                    _ => false, // scale, removal and silo faults leave the nodes as they are
                };
            }
        }
        return c.Nodes.Where(n => !crashed.Contains(n.Id) && !partitioned.Contains(n.Id) && !drained.Contains(n.Id) && !removed.Contains(n.Id))
            .Select(n => n with { Down = false, Drained = false, Ssd = ssd[n.Id] }).ToList();
    }

    /// <summary>What each remaining service should run at the end (placed alone on the live cluster), and whether
    /// resources (cpu, memory, host ports) are ample enough that the count does not depend on the order things
    /// happened in.</summary>
    public static (bool Ample, Dictionary<string, int> Running) Expected(CheckCase c)
    {
        var live = LiveNodes(c);
        var desired = FinalDesired(c);
        var running = new Dictionary<string, int>();
        bool ample = true;
        foreach (var s in c.Services)
        {
            if (desired[s.Name] is not { } replicas) continue;
            var state = CaseScenario.Cluster(live);
            var rules = PlacementRules.Parse(CaseScenario.Placement(s));
            var result = Placement.Place(state, CaseScenario.Requests(s, replicas).ToList(), _ => rules);
            running[s.Name] = result.Placed.Count;
        }
        // A cordoned node keeps the tasks it runs but takes no new ones: what runs depends on what was there.
        if (c.Faults.Any(f => f.Kind == FaultCaseKind.Cordon)) ample = false;
        // A topology spread counts the tasks already placed, and those depend on the history (nothing is rebalanced).
        if ((c.Faults.Count > 0 || c.Nodes.Any(n => n.Down)) && c.Services.Any(s => s.Topology is not null)) ample = false;
        // Host ports are shared by all services: two services publishing the same port compete for nodes.
        if (c.Services.Count(s => s.Port80 && desired[s.Name] is not null) > 1) ample = false;
        // GROUP_BY:N and CLUSTER keep the values first taken; after a fault the best values of the live cluster may be
        // others, so what runs depends on the history, not on the live cluster alone.
        if ((c.Faults.Count > 0 || c.Nodes.Any(n => n.Down)) && c.Services.Any(s => s.Constraints.Any(x => x.Contains(":GROUP_BY:") || x.EndsWith(":CLUSTER", StringComparison.Ordinal))))
            ample = false;
        foreach (var n in c.Nodes)
        {
            long cpu = 0, mem = 0, gpu = 0;
            foreach (var s in c.Services)
            {
                int most = Math.Max(s.Replicas, c.Faults.Where(f => f.Kind == FaultCaseKind.Scale && f.Target == s.Name).Select(f => f.Replicas).DefaultIfEmpty(0).Max());
                if (s.MaxPerNode > 0) most = Math.Min(most, s.MaxPerNode);
                bool holdable = s.CpuMillis <= n.CpuMillis && s.MemoryMi <= n.MemoryMi && s.Gpu <= n.Gpus;
                if (!holdable) continue;
                cpu += most * s.CpuMillis;
                mem += most * s.MemoryMi;
                gpu += most * s.Gpu;
            }
            if (cpu > n.CpuMillis || mem > n.MemoryMi || gpu > n.Gpus) ample = false;
        }
        return (ample, running);
    }
}
