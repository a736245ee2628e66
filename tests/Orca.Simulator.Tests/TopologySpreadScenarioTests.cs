using static Orca.Simulator.Tests.SimulationHarness;

namespace Orca.Simulator.Tests;

/// <summary>Topology spread through failures: a zone outage does not hold replacements pending (its domain is no longer
/// eligible, a deliberate difference from Kubernetes), unless minDomains asks for Kubernetes' behaviour.</summary>
public class TopologySpreadScenarioTests
{
    private const string ThreeZones = "0s,add-nodes,n,count=9 racks=3 zones=3\n";

    [Fact]
    public void AZoneOutageMovesItsReplicasToTheZonesLeft()
    {
        var r = Run(ThreeZones + """
            1s,create-service,api,replicas=9 topology-spread=zone:1
            1m,expect,api,running=9 rack-spread=0
            2m,crash-rack,r2,
            3m,expect,api,running=9 pending=0
            4m,end,,
            """);
        AssertPassed(r);
    }

    [Fact]
    public void WithMinDomainsTheReplicasWaitForTheZoneToComeBack()
    {
        var dir = TempDir();
        var r = Run(ThreeZones + """
            1s,create-service,api,replicas=9 topology-spread=zone:1:DoNotSchedule:3
            1m,expect,api,running=9
            2m,crash-rack,r2,
            3m,expect,api,running=6 pending=3
            4m,recover-rack,r2,
            5m,expect,api,running=9 pending=0 rack-spread=0
            6m,end,,
            """, outDir: dir);
        AssertPassed(r);
        Assert.Contains("topology spread zone:1:DoNotSchedule:3 would be exceeded", File.ReadAllText(Path.Combine(dir, "events.csv")));
    }
}
