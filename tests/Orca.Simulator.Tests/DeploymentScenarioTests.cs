using static Orca.Simulator.Tests.SimulationHarness;
using static Orca.Simulator.Tests.EventsCsv;

namespace Orca.Simulator.Tests;

/// <summary>Deployments on the simulator: a bad version pauses the update (Swarm's default failure action), a
/// rollback row restores the old spec, and capacity during a good update stays within the policy's bound.</summary>
public class DeploymentScenarioTests
{
    private const string Nodes = "0s,add-nodes,n,count=8 racks=2 cpu=4 memory=8Gi\n";

    [Fact]
    public void ABadVersionPausesTheUpdateAndARollbackRowRestoresTheOldSpec()
    {
        var r = Run(Nodes + """
            1s,create-service,web,image=web:1 replicas=8 update-parallelism=2 update-monitor=20s
            1m,expect,web,running=8 deployment=completed version=1
            2m,update-service,web,image=web:2 fail-after=3s
            3m,expect,web,deployment=paused version=2 deployment-failed>=1
            3m,expect,web,running>=5
            4m,rollback-service,web,
            5m,expect,web,running=8 pending=0 deployment=rollback_completed version=3
            6m,end,,
            """);
        AssertPassed(r);
    }

    /// <summary>Stop-first with parallelism 2 on a good version: at every sample, running ≥ replicas − 2; the
    /// rollback to an older version afterwards replaces only the tasks that run another template.</summary>
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void AGoodUpdateKeepsRunningWithinTheParallelismAndCompletes(ulong seed)
    {
        var rows = new System.Text.StringBuilder(Nodes + """
            0s,config,sim,sample=1s
            1s,create-service,web,image=web:1 replicas=8 update-parallelism=2 update-monitor=5s
            1m,update-service,web,image=web:2

            """);
        for (int t = 61; t <= 120; t += 1) rows.Append($"{t}s,expect,web,running>=6\n");
        rows.Append("3m,expect,web,running=8 deployment=completed version=2\n4m,end,,\n");
        AssertPassed(Run(rows.ToString(), seed));
    }
}

/// <summary>Health checks on the simulator: a task runs only once its check passes, an unhealthy one is failed and
/// replaced, and an update to a version that never becomes healthy is rolled back.</summary>
public class HealthScenarioTests
{
    private const string Nodes = "0s,add-nodes,n,count=6 racks=2 cpu=4 memory=8Gi\n";

    [Fact]
    public void ATaskIsRunningOnlyOnceItsCheckPassesAndAnUnhealthyOneIsReplaced()
    {
        var r = Run(Nodes + """
            1s,create-service,web,image=web:1 replicas=3 health-cmd=check health-interval=10s health-retries=2 healthy-after=20s unhealthy-after=60s restart-delay=1s
            15s,expect,web,running=0
            30s,expect,web,running=3
            1m35s,expect,web,restarts>=3
            5m,end,,
            """);
        AssertPassed(r);
    }

    [Fact]
    public void AnUpdateToAVersionThatNeverBecomesHealthyIsRolledBack()
    {
        var r = Run(Nodes + """
            1s,create-service,web,image=web:1 replicas=6 health-cmd=check health-interval=5s update-parallelism=2 update-monitor=10s update-failure-action=rollback
            1m,expect,web,running=6 deployment=completed
            2m,update-service,web,image=web:2 unhealthy-after=0s
            2m5s,expect,web,running>=4
            4m,expect,web,running=6 pending=0 deployment=rollback_completed version=3
            5m,end,,
            """);
        AssertPassed(r);
    }
}

/// <summary>A crash-looping replica moves: after five failures on one node within five minutes the scheduler
/// places the service's next task elsewhere (SwarmKit's avoidance), while the restart back-off slows the loop.</summary>
public class CrashLoopScenarioTests
{
    [Fact]
    public void ACrashLoopingReplicaMovesToAnotherNodeAndBacksOff()
    {
        var dir = TempDir();
        var r = Run("""
            0s,add-nodes,n,count=2 cpu=4 memory=8Gi
            1s,create-service,loop,image=loop:1 replicas=1 restart-delay=1s fail-after=2s
            10m,end,,
            """, outDir: dir);
        Assert.Empty(r.Violations);
        var running = RunningTasks(dir).Select(t => (t.At, t.Node)).ToList();
        Assert.Equal(["n0001", "n0002"], running.Select(x => x.Node).Distinct().Order());
        var firstMove = running.FindIndex(x => x.Node != running[0].Node);
        Assert.InRange(firstMove, 5, 6); // five failures on the first node, then the next task goes elsewhere
        var gaps = running.Zip(running.Skip(1), (a, b) => b.At - a.At).ToList();
        Assert.True(gaps.Count < 40, $"{gaps.Count + 1} starts in 10 minutes: the back-off should slow the loop");
        Assert.True(gaps[^1] > 30, $"the last restarts come minutes apart, not {gaps[^1]:0.#}s");
    }
}

/// <summary>The next batch of an update starts only once the previous batch's tasks have run for the monitor period.</summary>
public class UpdateBatchScenarioTests
{
    [Fact]
    public void BatchesWaitForTheMonitorPeriodOfTheOneBefore()
    {
        var dir = TempDir();
        var r = Run("""
            0s,add-nodes,n,count=6 cpu=4 memory=8Gi
            1s,create-service,web,image=web:1 replicas=6 update-parallelism=2 update-monitor=20s
            1m,update-service,web,image=web:2
            3m,expect,web,running=6 deployment=completed version=2
            4m,end,,
            """, outDir: dir);
        AssertPassed(r);
        var starts = RunningTasks(dir).Where(t => t.Task.EndsWith(".1", StringComparison.Ordinal)).Select(t => t.At).Order().ToList();
        Assert.Equal(6, starts.Count);
        for (int i = 2; i < 6; i += 2)
            Assert.True(starts[i] - starts[i - 1] >= 20, $"batch {i / 2 + 1} began {starts[i] - starts[i - 1]:0.#}s after the one before it was running");
    }
}

internal static class EventsCsv
{
    /// <summary>Each time a task started running, from a results folder's events.csv: (time, task, node).</summary>
    public static List<(double At, string Task, string Node)> RunningTasks(string dir) =>
        File.ReadLines(Path.Combine(dir, "events.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => f[1] == "task" && f[5] == "running")
            .Select(f => (double.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture), f[2], f[4])).ToList();
}
