using Orca.Grains.Model;
using Orca.Grains.Scheduling;
using static Orca.Grains.Tests.Builders;

namespace Orca.Grains.Tests;

/// <summary>Generic resources as Swarm has them: the parsing cases of SwarmKit's api/genericresource/parse_test.go,
/// accounting like cpu and memory, named units given out once, Swarm's DOCKER_RESOURCE_* environment, and the
/// constraint enforcer when a node loses some (constraint_enforcer_test.go, TestGenericResourcesPlacementConstraints*).</summary>
public class GenericResourceTests
{
    private static IReadOnlyList<GenericResource> Node(params string[] terms) => GenericResources.Parse(terms, "generic", named: true);
    private static IReadOnlyList<GenericResource> Ask(params string[] terms) => GenericResources.Parse(terms, "generic", named: false);

    [Fact]
    public void CountsAndNamedSetsParseAsSwarmsDo()
    {
        Assert.Equal(3, Assert.Single(Node("apple=3")).Count);                                          // TestParseDiscrete
        var oranges = Assert.Single(Node("orange=red", "orange=green", "orange=blue"));               // TestParseStr
        Assert.Equal(["red", "green", "blue"], oranges.Names!);
        Assert.Equal(2, Node("orange=red,green", "apple=3").Count);                                    // TestParseDiscreteAndStr
        Assert.Equal(["GPU-0", "GPU-1"], Assert.Single(Node("gpu=GPU-0,GPU-1")).Names!);
    }

    [Theory]
    [InlineData("apple=3", "apple=4", "apple is given twice")]
    [InlineData("apple=-3", null, "negative count")]
    [InlineData("orange=red", "orange=3", "given twice")]
    [InlineData("orange=3", "orange=red", "mixes a count and names")]
    [InlineData("gpu=GPU-0,GPU-0", null, "given twice")]
    [InlineData("=3", null, "expected KIND=")]
    [InlineData("gpu=0", null, "more than 0")]
    public void BadNodeResourcesAreRefusedWithTheReason(string a, string? b, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Node(b is null ? [a] : [a, b]));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ATaskAsksForACountNotForNames()
    {
        var e = Assert.Throws<ArgumentException>(() => Ask("gpu=GPU-0"));
        Assert.Contains("a task asks for a count of gpu", e.Message);
    }

    private static SchedulingState GpuCluster() => Cluster(
        Builders.Node("n1") with { Generic = Node("gpu=GPU-0,GPU-1") },
        Builders.Node("n2") with { Generic = Node("gpu=1", "apple=10") },
        Builders.Node("n3"));

    private static List<TaskRequest> GpuTasks(int count, string ask = "gpu=1") =>
        Tasks("ml", count).Select(t => t with { Generic = Ask(ask) }).ToList();

    [Fact]
    public void TasksTakeUnitsLikeCpuAndWhatIsLeftIsPendingWithTheReason()
    {
        var state = GpuCluster();
        var result = Place(state, GpuTasks(4));
        Assert.Equal(3, result.Placed.Count);
        Assert.Equal(2, result.Placed.Count(p => p.NodeId == "n1"));
        Assert.Equal(1, result.Placed.Count(p => p.NodeId == "n2"));
        var pending = Assert.Single(result.Unplaced);
        Assert.Contains("insufficient gpu on 3 nodes", pending.Reason);
    }

    [Fact]
    public void NamedUnitsAreGivenOnceAndComeBackWhenTheTaskEnds()
    {
        var state = GpuCluster();
        Place(state, GpuTasks(3));
        var onN1 = state.TasksOn(state.Node("n1")!);
        Assert.Equal(["GPU-0", "GPU-1"], onN1.Select(a => Assert.Single(a.Generic!).Names!.Single()));
        state.Release(onN1[0].TaskId);
        var again = Place(state, GpuTasks(1).Select(t => t with { TaskId = "ml.9.0" }).ToList());
        Assert.Equal("n1", Assert.Single(again.Placed).NodeId);
        Assert.Equal("GPU-0", Assert.Single(state.AssignmentOf("ml.9.0")!.Generic!).Names!.Single());
    }

    [Fact]
    public void TheContainerEnvironmentNamesWhatTheTaskWasGiven()
    {
        var env = GenericResources.Environment([new GenericResource("gpu", 2, ["GPU-0", "GPU-1"]), new GenericResource("apple", 3)]).ToList();
        Assert.Equal(new KeyValuePair<string, string>("DOCKER_RESOURCE_GPU", "GPU-0,GPU-1"), env[0]);
        Assert.Equal(new KeyValuePair<string, string>("DOCKER_RESOURCE_APPLE", "3"), env[1]);
    }

    [Fact]
    public void ANodeThatLosesAUnitRejectsTheTaskThatHeldIt()
    {
        var state = GpuCluster();
        Place(state, GpuTasks(2).Select(t => t with { Placement = Rules(["node.id==n1"]) }).ToList());
        var n1 = state.Node("n1")!;
        var second = state.TasksOn(n1)[1];
        var lost = Assert.Single(second.Generic!).Names!.Single();
        var kept = Node("gpu=" + (lost == "GPU-0" ? "GPU-1" : "GPU-0"));
        state.Upsert(new NodeInfo(n1.Spec with { Generic = kept }, NodeStatus.Ready, NodeAvailability.Active, default));
        var rejected = ConstraintEnforcer.Check(state, n1, t => PlacementRules.Parse(t.Placement));
        Assert.Equal(second.TaskId, Assert.Single(rejected).Assignment.TaskId);
        Assert.Contains($"no longer has the gpu {lost}", rejected[0].Reason);
    }

    [Fact]
    public void ADiscreteCountThatShrinksRejectsTheNewestHolders()
    {
        var state = Cluster(Builders.Node("n1") with { Generic = Node("apple=10") });
        Place(state, Tasks("a", 3).Select(t => t with { Generic = Ask("apple=3") }).ToList());
        var n1 = state.Node("n1")!;
        state.Upsert(new NodeInfo(n1.Spec with { Generic = Node("apple=6") }, NodeStatus.Ready, NodeAvailability.Active, default));
        var rejected = ConstraintEnforcer.Check(state, n1, t => PlacementRules.Parse(t.Placement));
        Assert.Equal(["a.3.0"], rejected.Select(r => r.Assignment.TaskId));
    }
}
