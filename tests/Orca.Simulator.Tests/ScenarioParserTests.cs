using Orca.Grains.Model;
using Orca.Simulator.Scenarios;

namespace Orca.Simulator.Tests;

public class ScenarioParserTests
{
    private const string Head = "time,action,target,params\n0s,add-nodes,n,count=4 racks=2\n";

    private static ScenarioError Error(string body)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioParser.Parse(Head + body, "s.csv"));
        return e.Errors[0];
    }

    [Theory]
    [InlineData("5x,scale,web,replicas=2", 3, 1, "time", "'5x' is not a time")]
    [InlineData("1s,explode,web,", 3, 2, "action", "unknown action 'explode'")]
    [InlineData("1s,create-service,web,replica=2", 3, 4, "params", "unknown parameter 'replica' for create-service; did you mean 'replicas'?")]
    [InlineData("1s,create-service,web,replicas=-1", 3, 4, "params", "replicas=-1: expected a whole number from 0 to 100000")]
    [InlineData("1s,create-service,web,cpu=lots", 3, 4, "params", "cpu=lots: expected CPUs")]
    [InlineData("1s,create-service,web,memory=2Qi", 3, 4, "params", "memory=2Qi: expected a size")]
    [InlineData("1s,create-service,web,constraint=rack=r1", 3, 4, "params", "invalid constraint 'rack=r1'")]
    [InlineData("1s,create-service,web,constraint=rack:MAX_PER:x", 3, 4, "params", "MAX_PER needs a whole number")]
    [InlineData("1s,create-service,web,restart=sometimes", 3, 4, "params", "restart=sometimes: expected one of any, on-failure, none")]
    [InlineData("1s,create-service,we.b,", 3, 4, "params", "service name 'we.b'")]
    [InlineData("1s,create-service,web,replicas", 3, 4, "params", "'replicas' is not key=value")]
    [InlineData("1s,scale,api,replicas=3", 3, 3, "target", "no service 'api' exists at 1s")]
    [InlineData("1s,crash-node,n9999,", 3, 3, "target", "no node 'n9999' has been added by 1s")]
    [InlineData("1s,crash-rack,r7,", 3, 3, "target", "'rack=r7' selects no node")]
    [InlineData("1s,slow,n0001,", 3, 4, "params", "factor is required")]
    [InlineData("1s,add-nodes,n,count=2", 3, 3, "target", "node n0001 was already added")]
    [InlineData("1s,expect,web,running=6", 3, 3, "target", "'web' is neither 'cluster', node:ID nor a service")]
    [InlineData("1s,expect,cluster,runing=6", 3, 4, "params", "unknown metric 'runing'")]
    [InlineData("1s,create-service,web,update-failure-action=panic", 3, 4, "params", "update-failure-action=panic: expected one of pause, continue, rollback")]
    [InlineData("1s,create-service,web,update-max-failure-ratio=2", 3, 4, "params", "update-max-failure-ratio=2")]
    [InlineData("1s,create-service,web,\n2s,expect,web,deployment=done", 4, 4, "params", "deployment=done: expected deployment=STATE, one of updating, paused, completed")]
    [InlineData("1s,rollback-service,web,", 3, 3, "target", "no service 'web' exists at 1s")]
    [InlineData("1s,create-service,web,\n2s,rollback-service,web,version=x", 4, 4, "params", "version=x")]
    [InlineData("1s,config,cluster,heartbeat=5s", 3, 1, "time", "config rows must be at time 0")]
    [InlineData("0s,config,cluster,heartbeat=0s", 3, 4, "params", "heartbeat must be more than 0")]
    [InlineData("1s,scale,web,replicas>=2", 3, 4, "params", "only expect rows compare")]
    [InlineData("1s,crash-storm,all,crashes=3", 3, 4, "params", "duration is required")]
    [InlineData("1s,create-service,web,a,b", 3, 5, "row", "5 fields; expected at most 4")]
    public void BadRowsNameFileLineColumnAndWhatWasExpected(string row, int line, int column, string field, string message)
    {
        var error = Error(row);
        Assert.Equal(("s.csv", line, column, field), (error.File, error.Line, error.Column, error.Field));
        Assert.Contains(message, error.Message);
        Assert.StartsWith($"s.csv:{line}:{column}: {field}: ", error.ToString());
    }

    [Fact]
    public void EveryErrorIsReportedNotOnlyTheFirst()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioParser.Parse(Head + "1s,create-service,web,replicas=x cpu=y\n2s,bogus,,\n", "s.csv"));
        Assert.Equal([3, 3, 4], e.Errors.Select(x => x.Line));
    }

    [Fact]
    public void CommentsAndBlankLinesKeepLineNumbersTrue()
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioParser.Parse("# title\n\ntime,action,target,params\n# note\n\n0s,add-nodes,n,count=x\n", "s.csv"));
        Assert.Equal(6, e.Errors[0].Line);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("when,what,who,how\n", "expected the header 'time,action,target,params'")]
    [InlineData("time,action,target,params\n", "the scenario has no rows")]
    public void WholeFileProblems(string text, string message) =>
        Assert.Contains(message, Assert.Throws<ScenarioException>(() => ScenarioParser.Parse(text, "s.csv")).Message);

    [Fact]
    public void AValidScenarioReadsIntoOrderedSteps()
    {
        var s = ScenarioParser.Parse("""
            # A title line
            # and a second one.
            time,action,target,params
            0s,config,cluster,heartbeat=2s down-after=6s
            0s,config,sim,start-delay=1s..2s sample=5s
            0s,add-nodes,n,count=6 racks=3 zones=2 cpu=2 memory=4Gi label=disk=ssd
            1m,expect,web,running=3 rack-spread<=1
            5s,create-service,web,image=nginx:1.27 replicas=3 cpu=250m memory=64Mi spread=node.labels.rack constraint=rack:UNIQUE constraint=node.labels.disk==ssd
            30s,crash-rack,r2,
            40s,scale,web,replicas=5
            50s,update-service,web,image=nginx:1.28 update-order=start-first
            2m,end,,
            """, "ok.csv");
        Assert.Equal("A title line\nand a second one.", s.Description);
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6)), (s.Cluster.HeartbeatInterval, s.Cluster.DownAfter));
        Assert.Equal(TimeSpan.FromSeconds(5), s.SampleInterval);
        Assert.Equal(TimeSpan.FromMinutes(2), s.End);
        var nodes = Assert.IsType<AddNodesStep>(s.Steps[0]).Nodes;
        Assert.Equal(["r1", "r1", "r2", "r2", "r3", "r3"], nodes.Select(n => n.Label("rack")));
        Assert.Equal(["z1", "z1", "z2", "z2", "z1", "z1"], nodes.Select(n => n.Label("zone")));
        Assert.All(nodes, n => Assert.Equal(("ssd", new Resources(2000, 4L << 30)), (n.Label("disk")!, n.Capacity)));
        var web = Assert.IsType<CreateServiceStep>(s.Steps[1]).Spec;
        Assert.Equal(["rack:UNIQUE", "node.labels.disk==ssd"], web.Placement.Constraints);
        Assert.Equal(["n0003", "n0004"], Assert.IsType<FaultStep>(s.Steps[2]).Nodes);
        var update = Assert.IsType<UpdateServiceStep>(s.Steps[4]).Spec;
        Assert.Equal(("nginx:1.28", 5, UpdateOrder.StartFirst), (update.Image, update.Replicas, update.Update.Order));
        var expect = Assert.IsType<ExpectStep>(s.Steps[5]);
        Assert.Equal("running=3,rack-spread<=1", string.Join(",", expect.Checks));
    }
}
