namespace Orca.Grains.Scheduling;

/// <summary>
/// Places a batch of tasks on a snapshot of the cluster. Pure: it reads <see cref="SchedulingState"/> and returns
/// decisions; <see cref="PlacementResult.ApplyTo"/> writes them. Tasks are grouped by (service, spec version), as
/// SwarmKit does, so static filters run once per group and each task costs a few heap operations.
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
        var pipeline = FilterPipeline.For(rules, first, disabled);
        var candidates = new List<SchedulingNode>();
        foreach (var node in overlay.Nodes)
            if (FilterPipeline.Passes(pipeline.Static, group, node)) candidates.Add(node);

        var tree = new SpreadTree(group, candidates);
        for (int i = 0; i < tasks.Count; i++)
        {
            int c = tree.Next(pipeline.Dynamic);
            if (c < 0)
            {
                result.Unplaced.Add(new UnplacedTasks(first.Service, first.SpecVersion, tasks.GetRange(i, tasks.Count - i), pipeline.Explain(group)));
                return;
            }
            var node = tree.NodeAt(c);
            var task = tasks[i];
            group.Take(node);
            tree.Placed(c);
            result.Placed.Add((task, node.Id));
        }
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
