using static Orca.Simulator.Tests.SimulationHarness;

namespace Orca.Simulator.Tests;

/// <summary>Reconciliation after crashes, rack failures, partitions and recoveries, on the simulator: each run must
/// pass its expect rows, every invariant, and the end-of-run ground truth (no duplicate or orphaned container on
/// any host).</summary>
public class ReconciliationScenarioTests
{
    private const string Nodes = "0s,add-nodes,n,count=12 racks=3 cpu=4 memory=8Gi\n";

    [Fact]
    public void CrashedNodesTasksAreReplacedAndTheNodeComingBackDoesNotDuplicateThem()
    {
        var r = Run(Nodes + """
            1s,create-service,web,replicas=12 cpu=500m spread=node.labels.rack max-per-node=1
            1m,expect,web,running=12
            2m,crash-node,n0001,
            2m10s,expect,web,running=12
            3m,expect,web,running=11 pending=1
            3m,expect,cluster,nodes-down=1
            4m,recover-node,n0001,
            5m,expect,web,running=12 pending=0 max-per-node<=1
            6m,end,,
            """);
        AssertPassed(r);
        var crash = Assert.Single(r.Summary.Faults);
        Assert.NotNull(crash.ConvergedAfterSeconds);
        Assert.InRange(crash.ConvergedAfterSeconds!.Value, 120, 200); // whole again only once n0001 was back (max-per-node=1, 12 nodes)
    }

    /// <summary>Scale-down recounts after each removal (Marathon's kill selection): 5/4 minus 3 leaves 3/3, and
    /// zones 3/3 minus 4 leave 1/1; once the ranking was computed once and 5/4 became 2/4.</summary>
    [Fact]
    public void ScaleDownKeepsTheSpreadEvenByRecountingAfterEachRemoval()
    {
        var r = Run("0s,add-nodes,n,count=8 racks=2 cpu=4 memory=8Gi\n" + """
            1s,create-service,web,replicas=9 spread=node.labels.rack
            1m,expect,web,running=9 max-per-rack=5 min-per-rack=4
            2m,scale,web,replicas=6
            3m,expect,web,running=6 rack-spread=0
            4m,scale,web,replicas=2
            5m,expect,web,running=2 rack-spread=0
            6m,end,,
            """);
        AssertPassed(r);
    }

    [Fact]
    public void RackFailureMovesReplicasAndUniqueKeepsOnePending()
    {
        var r = Run(Nodes + """
            1s,create-service,api,replicas=9 spread=node.labels.rack
            1s,create-service,cache,replicas=3 constraint=rack:UNIQUE
            1m,expect,api,running=9 rack-spread=0
            2m,crash-rack,r2,
            3m,expect,api,running=9 pending=0
            3m,expect,cache,running=2 pending=1
            4m,recover-rack,r2,
            6m,expect,cache,running=3 pending=0 max-per-rack<=1
            6m,expect,cluster,nodes-up=12 violations=0
            7m,end,,
            """);
        AssertPassed(r);
        var fault = Assert.Single(r.Summary.Faults);
        Assert.Equal(["api", "cache"], fault.ServicesAffected);
        Assert.NotNull(fault.ConvergedAfterSeconds); // cache is whole again once r2 is back
    }

    [Fact]
    public void PendingReasonIsPublished()
    {
        var r = Run(Nodes + """
            1s,create-service,big,replicas=2 memory=64Gi
            1m,expect,big,running=0 pending=2
            1m,end,,
            """);
        AssertPassed(r);
        Assert.Equal("no suitable node (insufficient memory on 12 nodes)", r.Summary.Services.Single().PendingReason);
    }

    [Fact]
    public void APartitionLongerThanTheTimeoutReplacesTasksAndHealingRemovesTheStaleContainers()
    {
        var r = Run(Nodes + """
            1s,create-service,web,replicas=12 max-per-node=2
            1m,partition,rack=r1,
            2m,expect,cluster,nodes-down=4
            2m,expect,web,running=12 pending=0
            3m,heal,rack=r1,
            5m,expect,cluster,nodes-up=12 violations=0
            5m,expect,web,running=12
            5m,end,,
            """);
        AssertPassed(r); // includes: no orphan or duplicate container on the healed hosts
        Assert.Equal(["web"], r.Summary.Faults.Single().ServicesAffected);
    }

    [Fact]
    public void APartitionShorterThanTheTimeoutReplacesNothing()
    {
        var r = Run(Nodes + """
            1s,create-service,web,replicas=6
            1m,partition,n0001;n0002,
            1m12s,heal,n0001;n0002,
            2m,expect,web,running=6 restarts=0
            2m,expect,cluster,nodes-down=0
            3m,end,,
            """);
        AssertPassed(r);
        Assert.Empty(r.Summary.Faults.Single().ServicesAffected);
    }

    [Fact]
    public void DrainMovesEveryTaskAwayAndTakesNoNewOnes()
    {
        var dir = TempDir();
        var r = Run(Nodes + """
            1s,create-service,web,replicas=24
            1m,drain,n0001;n0002,
            2m,expect,web,running=24 pending=0
            2m,scale,web,replicas=36
            3m,expect,web,running=36
            3m,end,,
            """, outDir: dir);
        AssertPassed(r);
        Assert.DoesNotContain(FinalPlacements(dir), row => row[5] is "n0001" or "n0002");
    }

    [Fact]
    public void RestartPolicyRestartsFailuresWithinItsBudget()
    {
        var r = Run(Nodes + """
            0s,config,cluster,heartbeat=5s
            1s,create-service,flaky,replicas=4 restart=on-failure restart-delay=1s restart-max-attempts=3 restart-window=1h fail-after=30s
            1s,create-service,never,replicas=4 restart=none fail-after=30s
            1s,create-service,done,replicas=4 restart=on-failure fail-after=20s exit-code=0
            30m,expect,flaky,running=0 restarts=12
            30m,expect,never,running=0 restarts=0
            30m,expect,done,running=0 restarts=0
            30m,end,,
            """);
        AssertPassed(r);
    }

    [Fact]
    public void ScaleDownAndRemoveLeaveNoContainerBehind()
    {
        var r = Run(Nodes + """
            1s,create-service,web,replicas=20
            1s,create-service,tmp,replicas=10
            1m,scale,web,replicas=5
            1m,remove-service,tmp,
            2m,expect,web,running=5 pending=0
            2m,expect,cluster,running=5 services=1
            3m,end,,
            """);
        AssertPassed(r); // the ground-truth check finds no container of a removed or scaled-away task
    }

    [Fact]
    public void RollingUpdateReplacesEveryTaskWithoutExceedingTheReplicaCount()
    {
        var dir = TempDir();
        var r = Run(Nodes + """
            1s,create-service,web,image=web:1 replicas=8 update-parallelism=2 update-delay=5s
            1m,update-service,web,image=web:2
            1m,update-service,web,cpu=100m
            4m,expect,web,running=8 pending=0
            4m,end,,
            """, outDir: dir);
        AssertPassed(r);
        var events = File.ReadAllLines(Path.Combine(dir, "events.csv"));
        Assert.Contains(events, l => l.Contains(",service,web,web,,updatestarted,"));
        Assert.Contains(events, l => l.Contains(",service,web,web,,updatecompleted,"));
        Assert.All(FinalPlacements(dir), row => Assert.NotEqual("0", row[2].Split('.')[2])); // every task is a new generation
    }

    [Fact]
    public void ASlowNodeStillConverges()
    {
        var r = Run(Nodes + """
            0s,slow,rack=r1,factor=20
            1s,create-service,web,replicas=12 max-per-node=1
            3m,expect,web,running=12
            3m,end,,
            """);
        AssertPassed(r);
    }
}

public class ServiceUpdateTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnUpdateThatOnlyChangesReplicasScalesWithoutReplacingTasks(bool serialize)
    {
        var dir = SimulationHarness.TempDir();
        var r = SimulationHarness.Run("""
            0s,add-nodes,n,count=6
            1s,create-service,web,replicas=4 constraint=node.role!=manager spread=node.labels.rack
            1m,update-service,web,replicas=6
            2m,expect,web,running=6
            2m,end,,
            """, serialize: serialize, outDir: dir);
        SimulationHarness.AssertPassed(r);
        var events = File.ReadAllLines(Path.Combine(dir, "events.csv"));
        Assert.Contains(events, l => l.Contains(",service,web,web,,scaled,"));
        Assert.DoesNotContain(events, l => l.Contains(",service,web,web,,updated,"));
        Assert.All(SimulationHarness.FinalPlacements(dir), row => Assert.Equal("0", row[2].Split('.')[2]));
    }
}


public class LostEventTests
{
    /// <summary>Containers exit after a few seconds; the host is cut off for 300 ms every 10 s, and heartbeats are a
    /// minute apart, so no heartbeat is missed. Some exits fall inside a partition (their event is lost): only the
    /// changed incarnation after the heal tells the node grain to look again, and the exit is then reported.</summary>
    [Fact]
    public void ExitsDuringShortPartitionsAreNoticed()
    {
        var rows = new System.Text.StringBuilder("""
            0s,config,cluster,heartbeat=1m down-after=5m
            0s,add-nodes,n,count=1
            1s,create-service,job,replicas=3 restart=any restart-delay=1s fail-after=5s exit-code=3

            """);
        for (int t = 20; t <= 600; t += 10) rows.Append($"{t}s,partition,n0001,\n{t}.3s,heal,n0001,\n");
        rows.Append("15m,expect,cluster,violations=0\n15m,end,,\n");
        var r = SimulationHarness.Run(rows.ToString());
        SimulationHarness.AssertPassed(r); // no task counted running without its container (lost-container)
    }
}

public class SiloFailoverTests
{
    private const string Cluster = """
        0s,config,sim,silos=3 silo-dead-after=6s
        0s,add-nodes,n,count=12 racks=3 cpu=4 memory=8Gi
        1s,create-services,s,count=6 replicas=4 spread=node.labels.rack

        """;

    [Theory]
    [InlineData("silo1")]
    [InlineData("silo2")]
    [InlineData("silo3")]
    public void WhicheverSiloCrashesItsGrainsComeBackAndNothingIsLostOrDuplicated(string silo)
    {
        var r = SimulationHarness.Run(Cluster + $"""
            1m,crash-silo,{silo},
            1m30s,crash-node,n0001,
            2m,scale,s001,replicas=8
            3m,expect,cluster,running=28 pending=0 nodes-down=1 violations=0
            4m,recover-silo,{silo},
            5m,scale,s002,replicas=2
            6m,expect,cluster,running=26 pending=0 violations=0
            6m,end,,
            """);
        SimulationHarness.AssertPassed(r); // also: no duplicate, orphan or lost container on the hosts
    }

    [Fact]
    public void TwoSilosDownAtOnceAndBack()
    {
        var r = SimulationHarness.Run(Cluster + """
            1m,crash-silo,silo1,
            1m,crash-silo,silo3,
            2m,crash-node,n0005,
            3m,expect,cluster,running=24 pending=0 violations=0
            4m,recover-silo,silo1,
            4m,recover-silo,silo3,
            5m,expect,cluster,running=24 violations=0
            5m,end,,
            """);
        SimulationHarness.AssertPassed(r);
    }

    [Fact]
    public void SiloFailoverIsDeterministic()
    {
        var rows = Cluster + "1m,crash-silo,silo2,\n2m,recover-silo,silo2,\n3m,end,,\n";
        var a = SimulationHarness.TempDir();
        var b = SimulationHarness.TempDir();
        SimulationHarness.Run(rows, seed: 5, outDir: a);
        SimulationHarness.Run(rows, seed: 5, outDir: b);
        Assert.Equal(File.ReadAllText(Path.Combine(a, "events.csv")), File.ReadAllText(Path.Combine(b, "events.csv")));
    }

    [Fact]
    public void ABadSiloNameIsRefused()
    {
        var e = Assert.Throws<Orca.Simulator.Scenarios.ScenarioException>(() => SimulationHarness.Run(Cluster + "1m,crash-silo,silo9,\n"));
        Assert.Contains("'silo9' is not a silo; expected one of silo1, silo2, silo3", e.Message);
    }
}
