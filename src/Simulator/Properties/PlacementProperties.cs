using Orca.Grains.Model;
using System.Text.RegularExpressions;
using Orca.Grains.Scheduling;

namespace Orca.Simulator.Properties;

/// <summary>Properties 1–6: the scheduler as a pure function of a snapshot and a batch.</summary>
public static partial class PlacementProperties
{
    public sealed record Outcome(SchedulingState State, PlacementResult Result, List<TaskRequest> Batch, Dictionary<string, PlacementRules> Rules);

    /// <summary>Places every service of the case, in order, as one batch on the case's cluster, and applies it.</summary>
    public static Outcome Place(CheckCase c, CheckContext ctx, IEnumerable<NodeCase>? nodeOrder = null)
    {
        var state = CaseScenario.Cluster(nodeOrder ?? c.Nodes);
        var rules = c.Services.ToDictionary(s => s.Name, s => PlacementRules.Parse(CaseScenario.Placement(s)));
        var batch = c.Services.SelectMany(s => CaseScenario.Requests(s, s.Replicas)).ToList();
        var result = Placement.Place(state, batch, t => rules[t.Service], ctx.DisabledFilters);
        result.ApplyTo(state);
        return new Outcome(state, result, batch, rules);
    }

    /// <summary>1. No node is ever over-committed on any resource.</summary>
    public static string? NoOvercommit(CheckCase c, CheckContext ctx)
    {
        var o = Place(c, ctx);
        foreach (var n in o.State.Nodes)
        {
            if (!n.Allocated.FitsWithin(n.Spec.Capacity)) return $"node {n.Id} holds {n.Allocated} of {n.Spec.Capacity}";
            if (n.GenericFree("gpu") < 0) return $"node {n.Id} holds {n.Spec.Generic.CountOf("gpu") - n.GenericFree("gpu")} gpu of {n.Spec.Generic.CountOf("gpu")}";
            var names = o.State.TasksOn(n).SelectMany(a => a.Generic ?? []).SelectMany(g => g.Names ?? []).ToList();
            if (names.Count != names.Distinct().Count()) return $"node {n.Id} gave one GPU to two tasks: {string.Join(",", names)}";
        }
        return null;
    }

    /// <summary>2. Every placed task satisfies every hard constraint of its service (both dialects), max-per-node,
    /// unique/max-per attributes, host ports, the skew bound of DoNotSchedule topology spreads; and sits on a ready,
    /// active node.</summary>
    public static string? HardConstraints(CheckCase c, CheckContext ctx)
    {
        var o = Place(c, ctx);
        var nodes = o.State.Nodes.ToDictionary(n => n.Id);
        var placed = new List<(TaskRequest Task, string NodeId)>();
        foreach (var (task, nodeId) in o.Result.Placed)
        {
            var node = nodes[nodeId];
            var rules = o.Rules[task.Service];
            if (node.Status != Grains.Model.NodeStatus.Ready || node.Availability != Grains.Model.NodeAvailability.Active)
                return $"{task.TaskId} placed on {nodeId}, which is {node.Status}/{node.Availability}";
            if (rules.Predicates.FirstOrDefault(p => !p.Matches(node.Spec)) is { } broken)
                return $"{task.TaskId} placed on {nodeId}, where '{broken.Text}' does not hold";
            var mine = placed.Where(p => p.Task.Service == task.Service).ToList();
            if (rules.MaxReplicasPerNode > 0 && mine.Count(p => p.NodeId == nodeId) >= rules.MaxReplicasPerNode)
                return $"{task.TaskId} is task {rules.MaxReplicasPerNode + 1} of {task.Service} on {nodeId} (max per node {rules.MaxReplicasPerNode})";
            foreach (var limit in rules.Limits)
            {
                var value = limit.Attribute.ValueOf(node.Spec);
                int already = mine.Count(p => limit.Attribute.ValueOf(nodes[p.NodeId].Spec) == value);
                if (value is null || already >= limit.MaxPerValue)
                    return $"{task.TaskId} on {nodeId} breaks '{limit.Text}' ({limit.Attribute.Display}={value ?? "missing"} already has {already})";
            }
            if (rules.SpreadLevels.FirstOrDefault(level => level.ValueOf(node.Spec) is null) is { } unlabelled)
                return $"{task.TaskId} on {nodeId}, which has no {unlabelled.Display} to spread over";
            foreach (var cap in rules.Caps)
            {
                var value = cap.Attribute.ValueOf(node.Spec);
                var used = mine.Select(p => cap.Attribute.ValueOf(nodes[p.NodeId].Spec)).Distinct().ToList();
                if (value is null || used.Count >= cap.MaxValues && !used.Contains(value))
                    return $"{task.TaskId} on {nodeId} breaks '{cap.Text}' ({cap.Attribute.Display}={value ?? "missing"}; already on {string.Join(", ", used)})";
            }
            foreach (var port in task.HostPorts)
                if (placed.Any(p => p.NodeId == nodeId && p.Task.HostPorts.Contains(port)))
                    return $"{task.TaskId} on {nodeId} publishes port {port}, already in use there";
            if (PlacementOracle.BrokenSpread(node, task, rules, placed, nodes) is { } spread)
                return $"{task.TaskId} on {nodeId} breaks topology spread '{spread.Text}'";
            placed.Add((task, nodeId));
        }
        return null;
    }

    /// <summary>3. A task is left pending only if no node passes the filters at that moment, and the reason accounts
    /// for every node.</summary>
    public static string? PendingReasonTrue(CheckCase c, CheckContext ctx)
    {
        var o = Place(c, ctx);
        var nodes = o.State.Nodes.ToDictionary(n => n.Id);
        foreach (var group in o.Result.Unplaced)
        {
            var task = group.Tasks[0];
            var fits = o.State.Nodes.FirstOrDefault(n => PlacementOracle.CanHold(n, task, o.Rules[task.Service], o.Result.Placed, nodes));
            if (fits is not null) return $"{group.Tasks.Count} tasks of {group.Service} left pending ({group.Reason}), but {fits.Id} can take one";
            int counted = NodeCounts().Matches(group.Reason).Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            if (o.State.Nodes.Count > 0 && counted != o.State.Nodes.Count)
                return $"the reason for {group.Service} accounts for {counted} of {o.State.Nodes.Count} nodes: {group.Reason}";
        }
        return null;
    }

    [GeneratedRegex(@"(\d+) nodes?\b")]
    private static partial Regex NodeCounts();

    /// <summary>4. Spread: placed alone with feasible capacity in every value, a service's tasks per value of its
    /// (outermost) spread label differ by at most one. Cases where constraints or capacity make that impossible
    /// are not judged.</summary>
    public static string? SpreadEven(CheckCase c, CheckContext ctx)
    {
        foreach (var s in c.Services)
        {
            if (SpreadJudgeable(c, s, ctx) is not var (alone, level, values)) continue;
            var nodes = alone.State.Nodes.ToDictionary(n => n.Id);
            var counts = values.ToDictionary(v => v.Key, _ => 0);
            foreach (var (_, nodeId) in alone.Result.Placed) counts[level.ValueOf(nodes[nodeId].Spec) ?? ""]++;
            if (counts.Values.Max() - counts.Values.Min() > 1)
                return $"{s.Name} spread over {level.Display}: {string.Join(", ", counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"))}";
        }
        return null;
    }

    /// <summary>Services whose spread is judged: a spread preference, no attribute limits, max per node or ports, every
    /// task placed when alone, and every eligible value able to hold its even share.</summary>
    private static (Outcome Alone, NodeAttribute Level, List<IGrouping<string, SchedulingNode>> Values)? SpreadJudgeable(CheckCase c, ServiceCase s, CheckContext ctx)
    {
        if (s.Spread.Count == 0 || s.MaxPerNode > 0 || s.Port80) return null;
        var alone = Place(c with { Services = [s] }, ctx);
        var rules = alone.Rules[s.Name];
        if (rules.Limits.Count > 0 || rules.Caps.Count > 0 || alone.Result.Unplaced.Count > 0 || rules.SpreadLevels.Count == 0) return null;
        var level = rules.SpreadLevels[0];
        var eligible = CaseScenario.Cluster(c.Nodes).Nodes
            .Where(n => n.Status == Grains.Model.NodeStatus.Ready && n.Availability == Grains.Model.NodeAvailability.Active
                        && rules.Predicates.All(p => p.Matches(n.Spec)) && rules.SpreadLevels.All(l => l.ValueOf(n.Spec) is not null)).ToList();
        var values = eligible.GroupBy(n => level.ValueOf(n.Spec) ?? "").ToList();
        if (values.Count == 0) return null;
        int share = (s.Replicas + values.Count - 1) / values.Count;
        return values.All(v => v.Sum(n => Fits(n, s)) >= share) ? (alone, level, values) : null;
    }

    public static bool SpreadJudged(CheckCase c) => c.Services.Any(s => SpreadJudgeable(c, s, CheckContext.Default) is not null);

    private static long Fits(SchedulingNode n, ServiceCase s)
    {
        long byCpu = s.CpuMillis == 0 ? 1_000_000 : n.Spec.Capacity.CpuMillis / s.CpuMillis;
        long byMem = s.MemoryMi == 0 ? 1_000_000 : n.Spec.Capacity.MemoryBytes / (s.MemoryMi << 20);
        long byGpu = s.Gpu == 0 ? 1_000_000 : n.Spec.Generic.CountOf("gpu") / s.Gpu;
        return Math.Min(Math.Min(byCpu, byMem), byGpu);
    }

    /// <summary>5. Determinism: the same snapshot and batch give the same placement, whatever order the nodes were added in.</summary>
    public static string? Deterministic(CheckCase c, CheckContext ctx)
    {
        var first = Describe(Place(c, ctx).Result);
        var again = Describe(Place(c, ctx).Result);
        if (first != again) return "two placements of the same snapshot and batch differ";
        var shuffled = c.Nodes.Reverse().Skip(c.Nodes.Count / 3).Concat(c.Nodes.Reverse().Take(c.Nodes.Count / 3)).ToList();
        var reordered = Describe(Place(c, ctx, shuffled).Result);
        return first == reordered ? null : "adding the nodes in another order changed the placement";
    }

    /// <summary>6. Scheduling a batch equals scheduling its tasks one by one (batches arrive grouped by service,
    /// as each service grain sends its tasks).</summary>
    public static string? BatchEqualsSequential(CheckCase c, CheckContext ctx)
    {
        var batch = Place(c, ctx);
        var state = CaseScenario.Cluster(c.Nodes);
        var placed = new Dictionary<string, string>();
        foreach (var task in batch.Batch)
        {
            var one = Placement.Place(state, [task], t => batch.Rules[t.Service], ctx.DisabledFilters);
            one.ApplyTo(state);
            foreach (var (t, nodeId) in one.Placed) placed[t.TaskId] = nodeId;
        }
        foreach (var (task, nodeId) in batch.Result.Placed)
        {
            var alone = placed.GetValueOrDefault(task.TaskId);
            if (alone != nodeId) return $"{task.TaskId}: the batch put it on {nodeId}, one by one on {alone ?? "no node"}";
        }
        int batchPlaced = batch.Result.Placed.Count;
        return placed.Count == batchPlaced ? null : $"the batch placed {batchPlaced} tasks, one by one placed {placed.Count}";
    }

    private static string Describe(PlacementResult r) =>
        string.Join(";", r.Placed.Select(p => $"{p.Task.TaskId}@{p.NodeId}")) + "|" + string.Join(";", r.Unplaced.Select(u => $"{u.Service}:{u.Tasks.Count}:{u.Reason}"));
}
