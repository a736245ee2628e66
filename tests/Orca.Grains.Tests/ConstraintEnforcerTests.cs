using Orca.Grains.Model;
using Orca.Grains.Scheduling;
using static Orca.Grains.Tests.Builders;

namespace Orca.Grains.Tests;

/// <summary>The cases of SwarmKit's manager/orchestrator/constraintenforcer/constraint_enforcer_test.go
/// (TestConstraintEnforcer, TestOutdatedTaskPlacementConstraints), with Orca's node changes.</summary>
public class ConstraintEnforcerTests
{
    private static List<string> Rejected(SchedulingState state, string node) =>
        ConstraintEnforcer.Check(state, state.Node(node)!, t => PlacementRules.Parse(t.Placement)).Select(r => r.Assignment.TaskId).ToList();

    private static void Change(SchedulingState state, string node, Func<NodeSpec, NodeSpec> change, NodeAvailability availability = NodeAvailability.Active)
    {
        var n = state.Node(node)!;
        state.Upsert(new NodeInfo(change(n.Spec), n.Status, availability, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void RoleChangeRejectsTheTasksWhoseRoleConstraintNoLongerHolds()
    {
        // TestConstraintEnforcer: id0 (role == manager) on a worker goes at once, id1 (no constraint) stays, id2
        // (role == worker) stays until the node becomes a manager.
        var state = Cluster(Node("id1"));
        state.Assign(Task("id0", "a", 0, 0, Rules(["node.role == manager"])), "id1");
        state.Assign(Task("id1", "b", 0, 0), "id1");
        state.Assign(Task("id2", "c", 0, 0, Rules(["node.role == worker"])), "id1");
        Assert.Equal(["id0"], Rejected(state, "id1"));

        state.Release("id0");
        Change(state, "id1", s => s with { Role = NodeRole.Manager });
        Assert.Equal(["id2"], Rejected(state, "id1"));
    }

    [Fact]
    public void LessMemoryRejectsWhatNoLongerFits()
    {
        // TestConstraintEnforcer: id4 reserves 9e8 bytes on a node of 1e9; the node shrinks to 5e8.
        var state = Cluster(new NodeSpec("id2", new Resources(1000, 1_000_000_000), new Dictionary<string, string>()));
        state.Assign(Task("id3", "a", 0, 0), "id2");
        state.Assign(Task("id4", "b", 0, 900_000_000), "id2");
        Assert.Empty(Rejected(state, "id2"));
        Change(state, "id2", s => s with { Capacity = new Resources(1000, 500_000_000) });
        Assert.Equal(["id4"], Rejected(state, "id2"));
    }

    [Fact]
    public void TheTasksPlacedFirstKeepTheRoomThatIsLeft()
    {
        var state = Cluster(Node("n1", cpu: 4000));
        foreach (var id in new[] { "t1", "t2", "t3", "t4" }) state.Assign(Task(id, "web", 1000, 0), "n1");
        Change(state, "n1", s => s with { Capacity = new Resources(2500, s.Capacity.MemoryBytes) });
        Assert.Equal(["t3", "t4"], Rejected(state, "n1"));
    }

    [Fact]
    public void RemovingALabelRejectsTasksThatNeedIt()
    {
        // TestOutdatedTaskPlacementConstraints: the label foo=bar is deleted from the node.
        var state = Cluster(Node("n1", labels: ("foo", "bar")));
        state.Assign(Task("t1", "web", 0, 0, Rules(["node.labels.foo == bar"])), "n1");
        state.Assign(Task("t2", "other", 0, 0, Rules(["node.labels.foo != bar"])), "n1");
        Change(state, "n1", s => new NodeChange(RemoveLabels: ["foo"]).ApplyTo(s));
        Assert.Equal(["t1"], Rejected(state, "n1"));
    }

    [Fact]
    public void APausedOrDrainedNodeIsLeftAlone()
    {
        // SwarmKit's rejectNoncompliantTasks returns at once for a node that is not active.
        var state = Cluster(Node("n1", labels: ("gpu", "yes")));
        state.Assign(Task("t1", "ml", 0, 0, Rules(["node.labels.gpu == yes"])), "n1");
        Change(state, "n1", s => new NodeChange(RemoveLabels: ["gpu"]).ApplyTo(s), NodeAvailability.Pause);
        Assert.Empty(Rejected(state, "n1"));
        Change(state, "n1", s => s, NodeAvailability.Active);
        Assert.Equal(["t1"], Rejected(state, "n1"));
    }

    [Fact]
    public void ANodeChangeRefusesToRemoveALabelTheNodeDoesNotHave()
    {
        var e = Assert.Throws<ArgumentException>(() => new NodeChange(RemoveLabels: ["gpu"]).ApplyTo(Node("n1")));
        Assert.Contains("no label 'gpu'", e.Message);
    }

    [Fact]
    public void RemovingANodeFreesEverythingItHeld()
    {
        var state = Cluster(Node("n1"), Node("n2"));
        state.Assign(Task("t1", "web", 500, 0), "n1");
        state.Assign(Task("t2", "web", 500, 0), "n2");
        Assert.True(state.Remove("n1"));
        Assert.Null(state.AssignmentOf("t1"));
        Assert.Equal(1, state.AssignmentCount);
        Assert.Equal(["n2"], state.Nodes.Select(n => n.Id));
        Assert.False(state.Release("t1"));
    }
}
