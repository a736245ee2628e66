using Orca.Grains.Model;
using Orca.Grains.Scheduling;
using static Orca.Grains.Tests.Builders;

namespace Orca.Grains.Tests;

/// <summary>Placement cases taken from the peers' own tests and docs (each names its source), replayed on Orca.</summary>
public class PlacementSemanticsTests
{
    /// <summary>SwarmKit scheduler_test.go TestSchedulerNoResources-style: tasks that ask for nothing still spread by
    /// task count (SwarmKit's nodeLess orders by the service's tasks, then all tasks on the node). 200 one-replica
    /// services once all landed on the first of three nodes.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ServicesThatAskForNoResourcesStillSpreadByTaskCount(bool oneBatch)
    {
        var state = Racks(racks: 1, nodesPerRack: 3);
        var services = Enumerable.Range(1, 200).Select(s => Tasks($"s{s}", 1, cpu: 0, memMi: 0)).ToList();
        if (oneBatch) Place(state, services.SelectMany(t => t).ToList());
        else foreach (var s in services) Place(state, s);
        var perNode = state.Nodes.Select(n => n.TaskCount).ToList();
        Assert.True(perNode.Max() - perNode.Min() <= 1, string.Join(",", perNode));
    }

    private static SchedulingState WithUnlabelled(int racks, int nodesPerRack, int unlabelled)
    {
        var state = Racks(racks, nodesPerRack);
        for (int i = 1; i <= unlabelled; i++)
            state.Upsert(new NodeInfo(new NodeSpec($"u{i}", new Resources(4000, 8L << 30), new Dictionary<string, string>(), NodeRole.Worker),
                NodeStatus.Ready, NodeAvailability.Active, DateTimeOffset.UnixEpoch));
        return state;
    }

    /// <summary>Marathon constraints.md ("nodes without the attribute are rejected for every operator but UNLIKE")
    /// and Kubernetes podtopologyspread filtering ("nodes without the topology key are not candidates").</summary>
    [Theory]
    [InlineData("spread", "rack")]
    [InlineData("constraint", "rack:GROUP_BY")]
    [InlineData("constraint", "rack:GROUP_BY:2")]
    [InlineData("constraint", "rack:CLUSTER")]
    [InlineData("constraint", "rack:LIKE:r.*")]
    [InlineData("constraint", "rack:UNIQUE")]
    [InlineData("constraint", "node.labels.rack==r1")]
    public void ANodeWithoutTheLabelIsNoValue(string kind, string text)
    {
        var state = WithUnlabelled(racks: 2, nodesPerRack: 2, unlabelled: 2);
        var rules = kind == "spread" ? Rules(spread: [text]) : Rules(constraints: [text]);
        var result = Place(state, Tasks("web", 2, placement: rules));
        Assert.Empty(result.Unplaced);
        Assert.DoesNotContain(result.Placed, p => p.NodeId.StartsWith('u'));
    }

    [Theory]
    [InlineData("rack:UNLIKE:r1")]
    [InlineData("node.labels.rack!=r1")]
    public void UnlikeAndNotEqualAcceptANodeWithoutTheLabel(string constraint)
    {
        var state = WithUnlabelled(racks: 1, nodesPerRack: 1, unlabelled: 1);
        var result = Place(state, Tasks("web", 1, placement: Rules(constraints: [constraint])));
        Assert.Equal("u1", Assert.Single(result.Placed).NodeId);
    }

    [Fact]
    public void SpreadingOverALabelNoNodeHasPlacesNothingAndSaysWhy()
    {
        var state = WithUnlabelled(racks: 0, nodesPerRack: 0, unlabelled: 3);
        var result = Place(state, Tasks("web", 2, placement: Rules(spread: ["node.labels.rack"])));
        Assert.Empty(result.Placed);
        Assert.Equal("no suitable node (no node.labels.rack to spread over on 3 nodes)", Assert.Single(result.Unplaced).Reason);
    }

    /// <summary>Marathon ConstraintsTest "GroupByWithNumberOfGroups": GROUP_BY:2 over four racks uses two, evenly,
    /// and a later batch stays on them.</summary>
    [Fact]
    public void GroupByNUsesNGroupsEvenly()
    {
        var state = Racks(racks: 4, nodesPerRack: 3);
        var rules = Rules(constraints: ["rack:GROUP_BY:2"]);
        var first = PerRack(state, Place(state, Tasks("web", 5, placement: rules)));
        Assert.Equal(2, first.Count);
        Assert.Equal([2, 3], first.Values.Order());
        var later = Place(state, Tasks("web", 3, placement: rules).Select(t => t with { TaskId = t.TaskId + "b" }).ToList());
        Assert.All(later.Placed, p => Assert.Contains(state.Node(p.NodeId)!.Spec.Label("rack"), first.Keys));
        var total = state.Nodes.GroupBy(n => n.Spec.Label("rack")).Select(g => g.Sum(n => n.TaskCount)).Where(c => c > 0).Order().ToList();
        Assert.Equal([4, 4], total);
    }

    /// <summary>Marathon constraints.md: "CLUSTER without a value: all tasks on the value the first one got".</summary>
    [Fact]
    public void ClusterWithoutAValuePinsToTheFirstValue()
    {
        var state = Racks(racks: 3, nodesPerRack: 2);
        var rules = Rules(constraints: ["rack:CLUSTER"]);
        var first = PerRack(state, Place(state, Tasks("web", 3, placement: rules)));
        var rack = Assert.Single(first).Key;
        var later = Place(state, Tasks("web", 3, placement: rules).Select(t => t with { TaskId = t.TaskId + "b" }).ToList());
        Assert.Empty(later.Unplaced);
        Assert.All(later.Placed, p => Assert.Equal(rack, state.Node(p.NodeId)!.Spec.Label("rack")));
        foreach (var n in state.Nodes.Where(n => n.Spec.Label("rack") == rack).ToList()) // that rack drained: nowhere else to go
            state.Upsert(new NodeInfo(n.Spec, NodeStatus.Ready, NodeAvailability.Drain, DateTimeOffset.UnixEpoch));
        var stuck = Place(state, Tasks("web", 1, placement: rules).Select(t => t with { TaskId = t.TaskId + "c" }).ToList());
        Assert.Contains("rack:CLUSTER: another rack holds the service on 4 nodes", Assert.Single(stuck.Unplaced).Reason);
    }
}
