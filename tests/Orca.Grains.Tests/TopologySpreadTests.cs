using Orca.Grains.Model;
using Orca.Grains.Scheduling;
using static Orca.Grains.Tests.Builders;

namespace Orca.Grains.Tests;

/// <summary>Kubernetes topology spread constraints, with the cases of the Kubernetes documentation
/// (concepts/scheduling-eviction/topology-spread-constraints: the one-constraint and two-constraint examples, minDomains)
/// and of the podtopologyspread plugin's filtering tests (a node without the key is not schedulable).</summary>
public class TopologySpreadTests
{
    private static PlacementSpec Spread(params string[] topology) => new([], [], TopologySpread: topology);

    private static SchedulingState FourNodesTwoZones() => Cluster(
        Node("node1", labels: ("zone", "zoneA")), Node("node2", labels: ("zone", "zoneA")),
        Node("node3", labels: ("zone", "zoneB")), Node("node4", labels: ("zone", "zoneB")));

    [Fact]
    public void TheNewPodGoesToTheZoneThatKeepsTheSkewWithinOne()
    {
        // The documentation's first example: pods on node1, node2 (zoneA) and node3 (zoneB); maxSkew 1 on zone.
        var state = FourNodesTwoZones();
        foreach (var (id, node) in new[] { ("web.1.0", "node1"), ("web.2.0", "node2"), ("web.3.0", "node3") })
            state.Assign(Task(id, "web", 0, 0, Spread("zone:1")), node);
        var result = Place(state, [Task("web.4.0", "web", 0, 0, Spread("zone:1"))]);
        Assert.Contains(Assert.Single(result.Placed).NodeId, new[] { "node3", "node4" });
    }

    [Fact]
    public void TwoConstraintsAreIntersected()
    {
        // The documentation's two-constraint example: zone:1 and node:1 with pods on node1, node2, node3 (and none on
        // node4): only node4 satisfies both.
        var state = FourNodesTwoZones();
        var spec = Spread("zone:1", "node.id:1");
        foreach (var (id, node) in new[] { ("web.1.0", "node1"), ("web.2.0", "node2"), ("web.3.0", "node3") })
            state.Assign(Task(id, "web", 0, 0, spec), node);
        var result = Place(state, [Task("web.4.0", "web", 0, 0, spec)]);
        Assert.Equal("node4", Assert.Single(result.Placed).NodeId);
    }

    [Fact]
    public void FewerDomainsThanMinDomainsCountTheEmptiestAsZero()
    {
        // minDomains 3 with two zones: the global minimum is 0, so each zone takes at most maxSkew (1) pods.
        var state = FourNodesTwoZones();
        var result = Place(state, Tasks("web", 5, cpu: 0, memMi: 0, placement: Spread("zone:1:DoNotSchedule:3")));
        Assert.Equal(2, result.Placed.Count);
        Assert.Equal(2, result.Placed.Select(p => state.Node(p.NodeId)!.Spec.Label("zone")).Distinct().Count());
        Assert.Contains("topology spread zone:1:DoNotSchedule:3 would be exceeded on 4 nodes", Assert.Single(result.Unplaced).Reason);
    }

    [Fact]
    public void ANodeWithoutTheKeyIsNotSchedulable()
    {
        var state = Cluster(Node("a", labels: ("zone", "z1")), new NodeSpec("bare", new Resources(4000, 8L << 30), new Dictionary<string, string>()));
        var result = Place(state, Tasks("web", 3, placement: Spread("zone:2")));
        Assert.All(result.Placed, p => Assert.Equal("a", p.NodeId));
        Assert.Equal(3, result.Placed.Count); // z1 is the only domain, its own minimum: the skew never grows
    }

    [Fact]
    public void MaxSkewBoundsTheDifferenceWhileTheEmptiestDomainIsFull()
    {
        // zoneB has room for one task only: zoneA may get at most maxSkew more than zoneB.
        var state = Cluster(Node("a1", cpu: 4000, labels: ("zone", "zoneA")), Node("a2", cpu: 4000, labels: ("zone", "zoneA")),
            Node("b1", cpu: 1000, labels: ("zone", "zoneB")));
        var result = Place(state, Tasks("web", 6, cpu: 1000, placement: Spread("zone:2")));
        var perZone = result.Placed.GroupBy(p => state.Node(p.NodeId)!.Spec.Label("zone")!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(1, perZone["zoneB"]);
        Assert.Equal(3, perZone["zoneA"]);
        Assert.Contains("topology spread zone:2 would be exceeded", Assert.Single(result.Unplaced).Reason);
    }

    [Fact]
    public void ScheduleAnywaySpreadsButNeverRefuses()
    {
        var state = Cluster(Node("a1", cpu: 4000, labels: ("zone", "zoneA")), Node("b1", cpu: 1000, labels: ("zone", "zoneB")));
        var result = Place(state, Tasks("web", 5, cpu: 1000, placement: Spread("zone:1:ScheduleAnyway")));
        Assert.Equal(5, result.Placed.Count);
        Assert.Empty(result.Unplaced);
    }

    [Theory]
    [InlineData("zone", "wrong number of fields")]
    [InlineData("zone:0", "max skew")]
    [InlineData("zone:1:Sometimes", "neither DoNotSchedule nor ScheduleAnyway")]
    [InlineData("zone:1:ScheduleAnyway:2", "min domains goes with DoNotSchedule only")]
    [InlineData("node.bogus:1", "not a node attribute")]
    public void BadTopologySpreadsAreRefused(string text, string message)
    {
        var e = Assert.Throws<ConstraintException>(() => PlacementRules.Parse(Spread(text)));
        Assert.Contains(message, e.Message);
    }
}
