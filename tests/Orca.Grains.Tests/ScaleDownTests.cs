using Orca.Grains.Model;
using Orca.Grains.Reconciliation;
using static Orca.Grains.Reconciliation.ReconcileAction;

namespace Orca.Grains.Tests;

/// <summary>Scale-down choices replayed from the peers: Kubernetes' ReplicaSet ranking (unassigned, then pending, then
/// running), Marathon's kill selection over GROUP_BY values (recounting after each kill), SwarmKit's copies per node.</summary>
public class ScaleDownTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Running tasks laid out as (slot, node), nodes n{rack}{i} in racks r{rack} of zones z{zone}.</summary>
    private static (SlotView[] Slots, Dictionary<string, string[]> Groups) Layout(params (string Zone, string Rack, int Tasks)[] racks)
    {
        var slots = new List<SlotView>();
        var groups = new Dictionary<string, string[]>();
        int slot = 1;
        foreach (var (zone, rack, tasks) in racks)
            for (int i = 0; i < tasks; i++)
            {
                var node = $"{rack}-n{i % 2}";
                groups[node] = [zone, rack];
                slots.Add(new SlotView(slot, new TaskInfo($"web.{slot}.0", slot, 0, 1, TaskState.Running, DesiredTaskState.Running, node, null, null, T0), null, [], false));
                slot++;
            }
        return (slots.ToArray(), groups);
    }

    private static Dictionary<string, int> Left(SlotView[] slots, Dictionary<string, string[]> groups, int replicas, int level)
    {
        var r = Reconciler.Compute(ServiceSpec.Create("web", "img:1", replicas, Resources.Zero), 1, slots, T0, T0, spreadGroups: groups);
        var removed = r.Actions.OfType<RemoveSlot>().Select(a => a.Slot).ToHashSet();
        return slots.Where(s => !removed.Contains(s.Slot)).GroupBy(s => groups[s.Current!.Node!][level]).ToDictionary(g => g.Key, g => g.Count());
    }

    [Fact]
    public void RacksFiveAndFourMinusThreeLeaveThreeAndThree()
    {
        var (slots, groups) = Layout(("z1", "r1", 5), ("z1", "r2", 4));
        Assert.Equal(new Dictionary<string, int> { ["r1"] = 3, ["r2"] = 3 }, Left(slots, groups, 6, level: 1));
    }

    [Fact]
    public void ZonesThreeAndThreeMinusFourLeaveOneAndOne()
    {
        var (slots, groups) = Layout(("z1", "r1", 2), ("z1", "r2", 1), ("z2", "r3", 3));
        Assert.Equal(new Dictionary<string, int> { ["z1"] = 1, ["z2"] = 1 }, Left(slots, groups, 2, level: 0));
    }

    [Fact]
    public void WithinAValueTheNodeWithMostCopiesGivesFirst()
    {
        var (slots, groups) = Layout(("z1", "r1", 5)); // r1-n0 holds 3, r1-n1 holds 2
        var r = Reconciler.Compute(ServiceSpec.Create("web", "img:1", 3, Resources.Zero), 1, slots, T0, T0, spreadGroups: groups);
        var left = slots.Where(s => !r.Actions.OfType<RemoveSlot>().Any(a => a.Slot == s.Slot)).GroupBy(s => s.Current!.Node).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["r1-n0"] = 2, ["r1-n1"] = 1 }, left);
    }

    [Fact]
    public void UnassignedGoFirstThenNotYetRunningThenRunning()
    {
        var (running, groups) = Layout(("z1", "r1", 2));
        var pending = new SlotView(3, new TaskInfo("web.3.0", 3, 0, 1, TaskState.Pending, DesiredTaskState.Running, null, null, null, T0), null, [], false);
        var starting = new SlotView(4, new TaskInfo("web.4.0", 4, 0, 1, TaskState.Starting, DesiredTaskState.Running, "r1-n0", null, null, T0), null, [], false);
        var slots = running.Append(pending).Append(starting).ToArray();
        var one = Reconciler.Compute(ServiceSpec.Create("web", "img:1", 3, Resources.Zero), 1, slots, T0, T0, spreadGroups: groups);
        Assert.Equal([3], one.Actions.OfType<RemoveSlot>().Select(a => a.Slot));
        var two = Reconciler.Compute(ServiceSpec.Create("web", "img:1", 2, Resources.Zero), 1, slots, T0, T0, spreadGroups: groups);
        Assert.Equal([3, 4], two.Actions.OfType<RemoveSlot>().Select(a => a.Slot));
    }
}
