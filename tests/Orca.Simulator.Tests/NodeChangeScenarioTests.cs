using static Orca.Simulator.Tests.SimulationHarness;

namespace Orca.Simulator.Tests;

/// <summary>Nodes that change under running tasks (SwarmKit's constraint enforcer): labels, role and capacity
/// changes move the tasks the node no longer satisfies, a cordoned node keeps what it runs, a removed node is
/// emptied. Every run must also pass the stale-placement invariant and the end-of-run ground truth.</summary>
public class NodeChangeScenarioTests
{
    [Fact]
    public void ALabelChangeMovesTheTasksThatNeedItAndACordonedNodeKeepsThem()
    {
        var r = Run("""
            0s,add-nodes,g,count=4 racks=2 label=gpu=yes
            0s,add-nodes,c,count=2 racks=1
            1s,create-service,ml,replicas=4 constraint=node.labels.gpu==yes max-per-node=1
            1m,expect,ml,running=4
            1m,expect,node:g0001,tasks=1
            2m,update-node,g0001,label-rm=gpu
            3m,expect,node:g0001,tasks=0
            3m,expect,ml,running=3 pending=1
            4m,update-node,c0001,label-add=gpu=yes
            5m,expect,ml,running=4 pending=0
            5m,expect,node:c0001,tasks=1
            6m,cordon,g0002,
            6m,update-node,g0002,label-rm=gpu
            7m,expect,node:g0002,tasks=1
            8m,uncordon,g0002,
            9m,expect,node:g0002,tasks=0
            9m,expect,ml,running=3 pending=1
            10m,end,,
            """);
        AssertPassed(r);
    }

    [Fact]
    public void ARoleChangeMovesTasksConstrainedToTheOldRole()
    {
        var r = Run("""
            0s,add-nodes,n,count=3 racks=1
            1s,create-service,agent,replicas=3 constraint=node.role==worker max-per-node=1
            1m,expect,agent,running=3
            2m,update-node,n0002,role=manager
            3m,expect,agent,running=2 pending=1
            3m,expect,node:n0002,tasks=0
            4m,update-node,n0002,role=worker
            5m,expect,agent,running=3 pending=0
            6m,end,,
            """);
        AssertPassed(r);
    }

    [Fact]
    public void LessCapacityMovesTheNewestTasksAndRemovedNodesAreEmptied()
    {
        var r = Run("""
            0s,add-nodes,n,count=3 racks=1 cpu=4 memory=8Gi
            1s,create-service,api,replicas=6 cpu=1 max-per-node=3
            1m,expect,node:n0001,tasks=2
            2m,update-node,n0001,cpu=1
            3m,expect,node:n0001,tasks=1
            3m,expect,api,running=6 pending=0
            4m,drain,n0002,
            4m30s,remove-node,n0002,
            5m,expect,node:n0002,tasks=0
            5m,expect,api,running=4 pending=2
            5m,expect,cluster,nodes-up=2
            6m,remove-node,n0003,force=true
            7m,expect,api,running=1 pending=5
            7m,add-node,n0004,cpu=8
            8m,expect,api,running=4 pending=2
            9m,end,,
            """);
        AssertPassed(r);
    }

    [Fact]
    public void ANodeRemovedWhileCutOffHasItsTasksReplacedAndItsContainersRemovedWhenItAnswers()
    {
        var r = Run("""
            0s,add-nodes,n,count=3 racks=1
            1s,create-service,web,replicas=3 max-per-node=1
            1m,expect,web,running=3
            2m,partition,n0003,
            2m5s,remove-node,n0003,force=true
            3m,expect,web,running=2 pending=1
            3m,expect,node:n0003,tasks=0
            4m,heal,n0003,
            5m,add-node,n0004,
            6m,expect,web,running=3 pending=0
            8m,end,,
            """);
        AssertPassed(r);
    }

    [Fact]
    public void RemovingANodeThatIsNeitherDownNorDrainedIsRefusedWithTheWayOut()
    {
        var r = Run("""
            0s,add-nodes,n,count=2 racks=1
            1s,create-service,web,replicas=2
            1m,remove-node,n0001,
            2m,expect,web,running=2
            2m,expect,node:n0001,tasks=1
            3m,end,,
            """);
        var v = Assert.Single(r.Violations, v => v.Invariant == "scenario-step");
        Assert.Contains("drain it first (orca node drain n0001) or remove it with --force", v.Detail);
    }
}
