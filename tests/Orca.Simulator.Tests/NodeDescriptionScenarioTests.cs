using static Orca.Simulator.Tests.SimulationHarness;

namespace Orca.Simulator.Tests;

/// <summary>What a node's engine reports, in scenarios: addresses from a subnet, OS and architecture, engine labels
/// (distinct from node labels), and Swarm constraints on them.</summary>
public class NodeDescriptionScenarioTests
{
    [Fact]
    public void SwarmConstraintsOnAddressPlatformAndEngineLabelsPlaceAsSwarmWould()
    {
        var dir = TempDir();
        var r = Run("""
            0s,add-nodes,a,count=4 racks=2 subnet=127.1.0.0/16 engine-label=storage=fast
            0s,add-nodes,b,count=4 racks=2 subnet=127.2.0.0/16 arch=aarch64 label=storage=fast
            0s,add-node,w1,os=windows ip=127.7.7.9 hostname=win-01
            1s,create-service,east,replicas=4 constraint=node.ip==127.1.0.0/16
            1s,create-service,arm,replicas=4 constraint=node.platform.arch==AARCH64
            1s,create-service,fast,replicas=4 constraint=engine.labels.storage==fast
            1s,create-service,win,replicas=1 constraint=node.platform.os==windows constraint=node.hostname==WIN-01
            1s,create-service,nowhere,replicas=1 constraint=node.ip==127.3.0.0/16
            1m,expect,east,running=4
            1m,expect,arm,running=4
            1m,expect,fast,running=4
            1m,expect,win,running=1
            1m,expect,nowhere,running=0 pending=1
            1m,expect,node:w1,tasks=1
            2m,end,,
            """, outDir: dir);
        AssertPassed(r);
        var tasks = FinalPlacements(dir).GroupBy(row => row[3]).ToDictionary(g => g.Key, g => g.Select(row => row[5]).ToList());
        Assert.All(tasks["east"], n => Assert.StartsWith("a", n));
        Assert.All(tasks["arm"], n => Assert.StartsWith("b", n));
        Assert.All(tasks["fast"], n => Assert.StartsWith("a", n)); // b's storage=fast is a node label, not an engine label
        Assert.Equal(["w1"], tasks["win"]);
    }

    [Theory]
    [InlineData("0s,add-nodes,a,count=300 subnet=127.1.0.0/24", "subnet=127.1.0.0/24: too small for 300 nodes")]
    [InlineData("0s,add-nodes,a,count=3 subnet=127.1.0.0", "subnet=127.1.0.0: expected an IPv4 network")]
    [InlineData("0s,add-node,a,ip=127.1.0.300", "ip=127.1.0.300: not an IP address")]
    [InlineData("0s,add-nodes,a,count=2\n1s,update-node,a0001,label-rm=gpu", "label-rm: node a0001 has no label 'gpu'")]
    [InlineData("0s,add-nodes,a,count=2\n1s,update-node,a0001,", "nothing to change")]
    [InlineData("0s,add-nodes,a,count=2\n1s,remove-node,a0001,force=true\n2s,drain,a0001,", "no node 'a0001' has been added by 2s")]
    public void BadNodeRowsSayWhatIsWrong(string rows, string message)
    {
        var e = Assert.Throws<Orca.Simulator.Scenarios.ScenarioException>(() => Run(rows + "\n3s,end,,\n"));
        Assert.Contains(message, e.Message);
    }
}
