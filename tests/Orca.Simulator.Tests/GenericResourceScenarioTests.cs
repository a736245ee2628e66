using static Orca.Simulator.Tests.SimulationHarness;

namespace Orca.Simulator.Tests;

/// <summary>Generic resources in scenarios: named GPUs and counts on nodes, asked per task, never over-committed (the
/// overcommit invariant counts them), pending with the reason, and taken back by the constraint enforcer when a node
/// loses some.</summary>
public class GenericResourceScenarioTests
{
    [Fact]
    public void GpusAreCountedLikeCpuAndANodeThatLosesOneGivesUpATask()
    {
        var r = Run("""
            0s,add-nodes,g,count=2 racks=1 generic=gpu=GPU-0 generic=gpu=GPU-1
            0s,add-nodes,c,count=2 racks=1
            1s,create-service,train,replicas=5 cpu=100m generic=gpu=1
            1m,expect,train,running=4 pending=1
            2m,update-node,g0002,generic=gpu=GPU-0
            3m,expect,train,running=3 pending=2
            3m,expect,node:g0002,tasks=1
            4m,update-node,c0001,generic=gpu=4
            5m,expect,train,running=5 pending=0
            6m,end,,
            """);
        AssertPassed(r);
        Assert.Null(r.Summary.Services.Single(s => s.Name == "train").PendingReason);
    }

    [Fact]
    public void APendingTaskSaysWhichResourceIsShort()
    {
        var r = Run("""
            0s,add-nodes,n,count=3 racks=1 generic=apple=10
            1s,create-service,eat,replicas=4 generic=apple=8
            1m,expect,eat,running=3 pending=1
            2m,end,,
            """);
        AssertPassed(r);
        Assert.Contains("insufficient apple on 3 nodes", r.Summary.Services.Single(s => s.Name == "eat").PendingReason);
    }
}
