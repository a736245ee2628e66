namespace Orca.Grains.Scheduling;

/// <summary>
/// Places a batch of tasks on a snapshot of the cluster. Pure: it reads <see cref="SchedulingState"/> and returns
/// decisions; <see cref="PlacementResult.ApplyTo"/> writes them (the spread trees it keeps in the state catch up on
/// whatever was or was not applied). Tasks are grouped by (service, spec version), as SwarmKit does, so static
/// filters run once per node per group and each task costs a few heap operations.
/// </summary>
public static class Placement
{
    /// <param name="disabledFilters">Filters switched off on purpose (mutation testing only).</param>
    public static PlacementResult Place(SchedulingState state, IReadOnlyList<TaskRequest> batch, Func<TaskRequest, PlacementRules> rulesOf,
        IReadOnlyCollection<string>? disabledFilters = null)
    {
        var result = new PlacementResult();
        if (batch.Count == 0) return result;
        var overlay = new BatchOverlay(state);
        foreach (var group in GroupInOrder(batch))
            PlaceGroup(overlay, group, rulesOf(group[0]), disabledFilters, result);
        return result;
    }

    private static void PlaceGroup(BatchOverlay overlay, List<TaskRequest> tasks, PlacementRules rules, IReadOnlyCollection<string>? disabled,
        PlacementResult result)
    {
        var first = tasks[0];
        var group = new GroupContext(overlay, first, rules);
        var tree = TreeFor(overlay, group, disabled);
        var pipeline = tree.Pipeline;
        bool placedSinceRestore = false;
        for (int i = 0; i < tasks.Count; i++)
        {
            int c = tree.Next(group);
            if (c < 0 && placedSinceRestore && rules.Topology.Count > 0)
            {
                // A node a topology spread refused is set aside for the group, but the refusal lifts once the
                // emptiest domain fills: try those nodes again.
                tree.RestoreAside();
                placedSinceRestore = false;
                c = tree.Next(group);
            }
            if (c < 0 && ReviseCaps(group, open: true))
            {
                // The values GROUP_BY:N or CLUSTER chose by room cannot take the task (a topology spread or a limit
                // refuses them), but the service uses fewer than N values: any value may be the next, as Marathon
                // has it, until N are used.
                tree = new SpreadTree(group, pipeline, byLayout: false);
                c = tree.Next(group);
            }
            if (c < 0)
            {
                tree.RestoreAside();
                result.Unplaced.Add(new UnplacedTasks(first.Service, first.SpecVersion, tasks.GetRange(i, tasks.Count - i), pipeline.Explain(group)));
                return;
            }
            var node = tree.NodeAt(c);
            group.Take(node);
            tree.Placed(c, group);
            placedSinceRestore = true;
            result.Placed.Add((tasks[i], node.Id));
            if (ReviseCaps(group, open: false)) tree = new SpreadTree(group, pipeline, byLayout: false);
        }
        tree.RestoreAside();
    }

    /// <summary>GROUP_BY:N and CLUSTER when the values chosen by room are stuck: <paramref name="open"/> lets any value
    /// be the next for every cap whose service uses fewer values than it may; otherwise an opened cap closes on the
    /// values used once there are as many as it may have. True when a cap changed (an open cap's static answer
    /// changes with each task, so the tree is built again then: a rare path).</summary>
    private static bool ReviseCaps(GroupContext group, bool open)
    {
        bool changed = false;
        for (int k = 0; k < group.Rules.Caps.Count; k++)
        {
            var cap = group.Rules.Caps[k];
            if ((group.CapValues[k] is null) == open) continue; // already open, or never opened
            var used = group.CountsPerValue(cap.Attribute);
            if ((used.Count < cap.MaxValues) != open) continue;
            group.CapValues[k] = open ? null : used.Keys.ToHashSet(StringComparer.Ordinal);
            changed = true;
        }
        return changed;
    }

    /// <summary>The group's spread tree: the one kept for its service version, caught up, unless its static filters
    /// depend on this moment (GROUP_BY:N and CLUSTER choose their values now; a topology spread's eligible domains
    /// are those of the nodes up now) or filters are switched off for a test; then one built for this group alone.</summary>
    private static SpreadTree TreeFor(BatchOverlay overlay, GroupContext group, IReadOnlyCollection<string>? disabled)
    {
        var rules = group.Rules;
        if (rules.Caps.Count == 0 && rules.Topology.Count == 0 && disabled is not { Count: > 0 } && overlay.State.KeepsTrees)
            return overlay.State.Trees.For(group, () => FilterPipeline.For(rules, group.Request));
        var pipeline = FilterPipeline.For(rules, group.Request, disabled);
        // The nodes the static filters pass before GROUP_BY:N or CLUSTER chose values: the values to choose from, and
        // Kubernetes' eligible domains (a domain whose nodes are all down, drained or outside the constraints is none:
        // a zone outage does not hold the service's tasks pending).
        var eligible = overlay.Nodes.Where(n => FilterPipeline.Passes(pipeline.Static, group, n)).ToList();
        for (int c = 0; c < rules.Caps.Count; c++) group.CapValues[c] = CappedValues(group, eligible, rules.Caps[c]);
        for (int t = 0; t < rules.Topology.Count; t++)
        {
            var key = rules.Topology[t].Key;
            group.Topology[t] = new TopologyCounts(rules.Topology[t], eligible.Select(n => key.ValueOf(n.Spec)!), group.CountsPerValue(key));
        }
        var tree = new SpreadTree(group, pipeline, byLayout: rules.Caps.Count == 0 && disabled is not { Count: > 0 });
        return tree;
    }

    /// <summary>GROUP_BY:N and CLUSTER: the values the group may use are the ones the service holds plus, while those
    /// are fewer than N, the values with room for the most tasks of the group (ties: the name), so the choice depends
    /// on the cluster, not on which value happened to be emptiest.</summary>
    private static HashSet<string> CappedValues(GroupContext group, List<SchedulingNode> candidates, ValueCap cap)
    {
        var keep = group.CountsPerValue(cap.Attribute).Keys.ToHashSet(StringComparer.Ordinal);
        if (keep.Count >= cap.MaxValues) return keep;
        var room = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var n in candidates)
            if (cap.Attribute.ValueOf(n.Spec) is { } v) room[v] = room.GetValueOrDefault(v) + TasksThatFit(group, n);
        foreach (var (v, _) in room.Where(kv => !keep.Contains(kv.Key) && kv.Value > 0)
                     .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (keep.Count >= cap.MaxValues) break;
            keep.Add(v);
        }
        return keep;
    }

    /// <summary>How many tasks of the group the node could take now by cpu, memory, generic resources, max per node and
    /// ports (at most 10,000).</summary>
    private static long TasksThatFit(GroupContext group, SchedulingNode n)
    {
        const long most = 10_000;
        var ask = group.Request.Resources;
        long fit = most;
        if (ask.CpuMillis > 0) fit = Math.Min(fit, Math.Max(0, n.Spec.Capacity.CpuMillis - group.CpuUsed(n)) / ask.CpuMillis);
        if (ask.MemoryBytes > 0) fit = Math.Min(fit, Math.Max(0, n.Spec.Capacity.MemoryBytes - group.MemoryUsed(n)) / ask.MemoryBytes);
        foreach (var g in group.Request.Generic ?? [])
            if (g.Count > 0) fit = Math.Min(fit, Math.Max(0, group.GenericFree(n, g.Kind)) / g.Count);
        if (group.Rules.MaxReplicasPerNode > 0) fit = Math.Min(fit, Math.Max(0, group.Rules.MaxReplicasPerNode - group.ServiceCount(n)));
        if (group.Request.HostPorts.Count > 0) fit = Math.Min(fit, group.Request.HostPorts.Any(p => group.PortTaken(n, p)) ? 0 : 1);
        return fit;
    }

    /// <summary>Groups by (service, spec version): the tasks of one group share resources, ports and placement.
    /// Groups keep the order of their first task, tasks keep their order within a group.</summary>
    private static List<List<TaskRequest>> GroupInOrder(IReadOnlyList<TaskRequest> batch)
    {
        var groups = new List<List<TaskRequest>>();
        var index = new Dictionary<(string, int), int>();
        foreach (var task in batch)
        {
            var key = (task.Service, task.SpecVersion);
            if (!index.TryGetValue(key, out int g))
            {
                g = groups.Count;
                index.Add(key, g);
                groups.Add([]);
            }
            groups[g].Add(task);
        }
        return groups;
    }
}
