using Orca.Simulator.Hosts;

namespace Orca.Simulator.Metrics;

/// <summary>
/// At the end of a run, compares what the simulated hosts really run with what Orca believes: on every host that
/// has been reachable long enough for its node grain to reconcile, no replica slot runs twice, no container runs
/// for a task Orca considers ended (a resurrected or orphaned container), and every task Orca counts as running
/// there has its container (none lost unnoticed, e.g. to a reboot between two heartbeats).
/// </summary>
public static class GroundTruthCheck
{
    public const string DuplicateContainer = "duplicate-container", OrphanContainer = "orphan-container", LostContainer = "lost-container";

    public static void Run(SimCluster cluster, SimObserver observer, TimeSpan end, TimeSpan settle)
    {
        var perSlot = new Dictionary<(string Service, string Slot), List<string>>();
        var countedRunning = observer.RunningByNode();
        foreach (var host in cluster.Hosts.Values.OrderBy(h => h.NodeId, StringComparer.Ordinal))
        {
            if (!host.Reachable || end.Ticks - host.ReachableSinceTicks < settle.Ticks) continue;
            var running = host.RunningTasks().ToHashSet(StringComparer.Ordinal);
            foreach (var taskId in countedRunning.GetValueOrDefault(host.NodeId, []).Where(t => !running.Contains(t)).Order(StringComparer.Ordinal))
                observer.Violate(end, LostContainer, host.NodeId, $"Orca counts {taskId} running here, but no container of it runs");
            foreach (var taskId in running.Order(StringComparer.Ordinal))
            {
                if (!observer.IsActive(taskId))
                    observer.Violate(end, OrphanContainer, host.NodeId, $"runs a container for {taskId}, which Orca considers ended");
                var parts = taskId.Split('.');
                var key = (parts[0], parts.Length > 1 ? parts[1] : "");
                if (!perSlot.TryGetValue(key, out var list)) perSlot[key] = list = [];
                list.Add($"{taskId}@{host.NodeId}");
            }
        }
        foreach (var ((service, slot), tasks) in perSlot.OrderBy(kv => kv.Key.Service, StringComparer.Ordinal).ThenBy(kv => kv.Key.Slot, StringComparer.Ordinal))
        {
            if (tasks.Count > 1 && !observer.IsUpdating(service))
                observer.Violate(end, DuplicateContainer, $"{service}.{slot}", $"{tasks.Count} containers run: {string.Join(", ", tasks)}");
        }
    }
}
