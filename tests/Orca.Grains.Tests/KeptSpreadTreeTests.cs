using Orca.Grains.Model;
using Orca.Grains.Scheduling;
using static Orca.Grains.Tests.Builders;

namespace Orca.Grains.Tests;

/// <summary>The spread trees the state keeps across batches: each case is a way a kept tree could go stale, placed
/// once on a state that keeps trees and once on one that builds them afresh, which must agree.</summary>
public class KeptSpreadTreeTests
{
    private static readonly PlacementSpec Spread = Rules(["node.labels.disk==ssd"], ["node.labels.rack"]);
    private static readonly PlacementRules SpreadRules = PlacementRules.Parse(Spread);

    private static (SchedulingState Kept, SchedulingState Fresh) Pair(params NodeSpec[] nodes)
    {
        var kept = Cluster(nodes);
        var fresh = new SchedulingState { KeepsTrees = false };
        foreach (var n in nodes) fresh.Upsert(new NodeInfo(n, NodeStatus.Ready, NodeAvailability.Active, DateTimeOffset.UnixEpoch));
        return (kept, fresh);
    }

    private static void Upsert((SchedulingState Kept, SchedulingState Fresh) s, NodeSpec spec,
        NodeStatus status = NodeStatus.Ready, NodeAvailability availability = NodeAvailability.Active)
    {
        s.Kept.Upsert(new NodeInfo(spec, status, availability, DateTimeOffset.UnixEpoch));
        s.Fresh.Upsert(new NodeInfo(spec, status, availability, DateTimeOffset.UnixEpoch));
    }

    private static void Release((SchedulingState Kept, SchedulingState Fresh) s, string taskId)
    {
        s.Kept.Release(taskId);
        s.Fresh.Release(taskId);
    }

    private static NodeSpec Ssd(string id, string rack, long cpu = 4000) => Node(id, rack, cpu, labels: ("disk", "ssd"));

    /// <summary>Places on both states with the same rules object (so the kept state reuses its tree), applies when
    /// asked, and returns where the task went.</summary>
    private static string? PlaceOne((SchedulingState Kept, SchedulingState Fresh) s, string id, bool apply = true, long cpu = 100)
    {
        var task = Task(id, "web", cpu, 64 << 20, Spread);
        var a = Placement.Place(s.Kept, [task], _ => SpreadRules);
        var b = Placement.Place(s.Fresh, [task], _ => SpreadRules);
        Assert.Equal(b.Placed.Select(p => p.NodeId), a.Placed.Select(p => p.NodeId));
        Assert.Equal(b.Unplaced.Select(u => u.Reason), a.Unplaced.Select(u => u.Reason));
        if (apply)
        {
            a.ApplyTo(s.Kept);
            b.ApplyTo(s.Fresh);
        }
        return a.Placed.FirstOrDefault().NodeId;
    }

    [Fact]
    public void ABatchNeverAppliedLeavesNoTrace()
    {
        var s = Pair(Ssd("n1", "r1"), Ssd("n2", "r2"));
        var first = PlaceOne(s, "web.1", apply: false);
        Assert.Equal(first, PlaceOne(s, "web.1", apply: false));
        Assert.Equal(first, PlaceOne(s, "web.1"));
        Assert.NotEqual(first, PlaceOne(s, "web.2")); // the applied one counts now
    }

    [Fact]
    public void AFullNodeTakesTasksAgainOnceOneIsReleased()
    {
        var s = Pair(Ssd("n1", "r1", cpu: 1000));
        Assert.Equal("n1", PlaceOne(s, "web.1", cpu: 1000));
        Assert.Null(PlaceOne(s, "web.2", cpu: 1000));
        Release(s, "web.1");
        Assert.Equal("n1", PlaceOne(s, "web.2", cpu: 1000));
    }

    [Fact]
    public void ANodeThatGoesDownIsPassedOverAndTakenAgainWhenItComesBack()
    {
        var s = Pair(Ssd("n1", "r1"), Ssd("n2", "r2"), Ssd("n3", "r3"));
        Assert.Equal("n1", PlaceOne(s, "web.1"));
        Upsert(s, Ssd("n2", "r2"), NodeStatus.Down);
        Upsert(s, Ssd("n3", "r3"), availability: NodeAvailability.Pause);
        Assert.Equal("n1", PlaceOne(s, "web.2"));
        Upsert(s, Ssd("n2", "r2"));
        Assert.Equal("n2", PlaceOne(s, "web.3"));
    }

    [Fact]
    public void ALabelChangeIsSeenByTheNextTask()
    {
        var s = Pair(Ssd("n1", "r1"), Ssd("n2", "r2"));
        Assert.Equal("n1", PlaceOne(s, "web.1"));
        Upsert(s, Node("n2", "r2", labels: ("disk", "hdd")));
        Assert.Equal("n1", PlaceOne(s, "web.2"));
        Upsert(s, Ssd("n2", "r9"));
        Assert.Equal("n2", PlaceOne(s, "web.3"));
    }

    [Fact]
    public void TasksOfOtherServicesOnANodeMoveTheNextTaskOfThisOne()
    {
        var s = Pair(Ssd("n1", "r1"), Ssd("n2", "r1"));
        Assert.Equal("n1", PlaceOne(s, "web.1"));
        Release(s, "web.1");
        foreach (var state in new[] { s.Kept, s.Fresh })
            Place(state, Tasks("db", 1, cpu: 3000, placement: Rules(["node.id==n1"])));
        Assert.Equal("n2", PlaceOne(s, "web.2")); // n1 is now the more allocated
    }

    [Fact]
    public void ANewNodeJoinsTheKeptTree()
    {
        var s = Pair(Ssd("n1", "r1"));
        Assert.Equal("n1", PlaceOne(s, "web.1"));
        Upsert(s, Ssd("n0", "r2"));
        Assert.Equal("n0", PlaceOne(s, "web.2"));
        Assert.True(s.Kept.Remove("n0"));
        s.Fresh.Remove("n0");
        Assert.Equal("n1", PlaceOne(s, "web.3"));
    }
}
