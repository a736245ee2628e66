using Orca.Grains.Model;
using Orca.Grains.Reconciliation;
using static Orca.Grains.Reconciliation.ReconcileAction;

namespace Orca.Grains.Tests;

/// <summary>The deployment state machine alone: which task ends count as failures, the failure ratio, the actions,
/// and completion (cases after SwarmKit's updater: failure within the monitor period, max failure ratio, pause).</summary>
public class DeploymentTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly UpdatePolicy Rollback = UpdatePolicy.Default with { FailureAction = FailureAction.Rollback, Monitor = TimeSpan.FromSeconds(30), MaxFailureRatio = 0.2 };

    private static Deployment New(int slots, bool rollback = false) =>
        new() { Id = 1, FromVersion = 1, ToVersion = 2, Slots = slots, IsRollback = rollback, State = rollback ? DeploymentState.RollbackStarted : DeploymentState.Updating, StartedAt = T0 };

    private static TaskInfo Task(int slot, TaskState state, int version = 2, int gen = 1) =>
        new($"web.{slot}.{gen}", slot, gen, version, state, DesiredTaskState.Running, "n1", null, null, T0);

    [Fact]
    public void ATaskThatEndsWithinTheMonitorPeriodFailsAndOneThatRanLongerDoesNot()
    {
        var d = New(10);
        DeploymentTracker.OnTask(d, Task(1, TaskState.Running), Rollback, T0);
        DeploymentTracker.OnTask(d, Task(2, TaskState.Running), Rollback, T0);
        Assert.Equal(DeploymentVerdict.None, DeploymentTracker.OnTask(d, Task(1, TaskState.Failed), Rollback, T0.AddSeconds(29)));
        DeploymentTracker.Tick(d, Rollback, 10, false, [Task(2, TaskState.Running)], T0.AddSeconds(31));
        Assert.Equal(1, d.Healthy);
        DeploymentTracker.OnTask(d, Task(2, TaskState.Failed), Rollback, T0.AddSeconds(40));
        Assert.Equal(1, d.Failed);
        Assert.Equal(2, d.Updated);
    }

    [Fact]
    public void TasksTheSystemStoppedOrLostWithTheirNodeAreNotFailuresOfTheVersion()
    {
        var d = New(1);
        DeploymentTracker.OnTask(d, Task(1, TaskState.Shutdown), Rollback, T0);
        DeploymentTracker.OnTask(d, Task(1, TaskState.Orphaned, gen: 2), Rollback, T0);
        DeploymentTracker.OnTask(d, Task(1, TaskState.Failed, version: 1, gen: 3), Rollback, T0); // an old version's task
        Assert.Equal(0, d.Failed);
    }

    [Fact]
    public void MoreThanTheMaxFailureRatioTriggersTheActionAndARepeatedReportCountsOnce()
    {
        var d = New(10); // ratio 0.2: the third failure of ten is one too many
        Assert.Equal(DeploymentVerdict.None, DeploymentTracker.OnTask(d, Task(1, TaskState.Failed), Rollback, T0));
        Assert.Equal(DeploymentVerdict.None, DeploymentTracker.OnTask(d, Task(1, TaskState.Failed), Rollback, T0));
        Assert.Equal(DeploymentVerdict.None, DeploymentTracker.OnTask(d, Task(2, TaskState.Failed), Rollback, T0));
        Assert.Equal(DeploymentVerdict.Rollback, DeploymentTracker.OnTask(d, Task(3, TaskState.Complete), Rollback, T0));
        Assert.Equal(3, d.Failed);
    }

    [Theory]
    [InlineData(FailureAction.Pause, DeploymentVerdict.Pause, DeploymentState.Paused)]
    [InlineData(FailureAction.Continue, DeploymentVerdict.None, DeploymentState.Updating)]
    public void TheFailureActionPausesOrContinues(FailureAction action, DeploymentVerdict verdict, DeploymentState state)
    {
        var d = New(4);
        var policy = Rollback with { FailureAction = action, MaxFailureRatio = 0 };
        Assert.Equal(verdict, DeploymentTracker.OnTask(d, Task(1, TaskState.Failed), policy, T0));
        Assert.Equal(state, d.State);
    }

    [Fact]
    public void ARollbackThatFailsPausesAndNeverRollsBackAgain()
    {
        var d = New(4);
        Assert.Equal(DeploymentVerdict.Rollback, DeploymentTracker.OnTask(d, Task(1, TaskState.Failed), Rollback with { MaxFailureRatio = 0 }, T0));
        DeploymentTracker.BeginRollback(d, 3, [1]);
        Assert.Equal((DeploymentState.RollbackStarted, 2, 0), (d.State, d.RolledBackVersion, d.Failed));
        var verdict = DeploymentTracker.OnTask(d, Task(2, TaskState.Failed, version: 3), Rollback with { MaxFailureRatio = 0 }, T0);
        Assert.Equal(DeploymentVerdict.Pause, verdict);
        Assert.Equal(DeploymentState.RollbackPaused, d.State);
    }

    [Fact]
    public void ItCompletesOnceNothingIsLeftToRollAndEveryNewTaskRanForTheMonitorPeriod()
    {
        var d = New(2);
        var tasks = new[] { Task(1, TaskState.Running), Task(2, TaskState.Running) };
        foreach (var t in tasks) DeploymentTracker.OnTask(d, t, Rollback, T0);
        Assert.Equal(T0.AddSeconds(30), DeploymentTracker.Tick(d, Rollback, 2, true, tasks, T0.AddSeconds(10)));
        Assert.Equal(DeploymentState.Updating, d.State);
        Assert.Null(DeploymentTracker.Tick(d, Rollback, 2, true, tasks, T0.AddSeconds(30)));
        Assert.Equal(DeploymentState.Completed, d.State);
        Assert.NotNull(d.EndedAt);
    }

    [Fact]
    public void ARollbacksSurvivorsRunningTheTargetTemplateCountAsUpdatedAndHealthy()
    {
        var d = New(2, rollback: true);
        d.ToVersion = 3;
        d.SameAsTarget = [1];
        var tasks = new[] { Task(1, TaskState.Running, version: 1), Task(2, TaskState.Running, version: 1) };
        DeploymentTracker.Tick(d, Rollback, 2, true, tasks, T0);
        Assert.Equal((2, 2, DeploymentState.RollbackCompleted), (d.Updated, d.Healthy, d.State));
    }

    [Fact]
    public void APausedDeploymentRollsNoFurtherSlotAndTasksOfTheTargetTemplateAreNotReplaced()
    {
        var spec = ServiceSpec.Create("web", "img:1", 3, Resources.Zero);
        TaskInfo T(int slot, int version) => new($"web.{slot}.0", slot, 0, version, TaskState.Running, DesiredTaskState.Running, "n1", null, null, T0);
        SlotView S(TaskInfo t) => new(t.Slot, t, null, [], false);
        var paused = Reconciler.Compute(spec, 2, [S(T(1, 1)), S(T(2, 1)), S(T(3, 1))], T0, T0, paused: true);
        Assert.Empty(paused.Actions);
        Assert.True(paused.UpdateInProgress);
        var rolledBack = Reconciler.Compute(spec, 3, [S(T(1, 1)), S(T(2, 2)), S(T(3, 1))], T0, T0, sameAsCurrent: new HashSet<int> { 1 });
        Assert.Equal([2], rolledBack.Actions.OfType<StartTask>().Select(a => a.Slot)); // only the task of version 2
    }
}

/// <summary>Restart back-off: a crash-looping slot waits longer each time, up to a bound, and starts again from the
/// policy's delay once it ran ten minutes without a restart.</summary>
public class RestartBackoffTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly RestartPolicy Policy = RestartPolicy.Default; // any, 5s

    private static SlotView Slot(params double[] restartsSecondsAgo) =>
        new(1, null, null, restartsSecondsAgo.Select(s => T0.AddSeconds(-s)).ToList(), false);

    [Theory]
    [InlineData(new double[0], 5)]
    [InlineData(new[] { 10.0 }, 10)]
    [InlineData(new[] { 10.0, 30, 60 }, 40)]
    [InlineData(new[] { 10.0, 30, 60, 90, 120, 150, 180, 210 }, 300)] // 5s × 2^8 = 1280s, bounded by 5 minutes
    [InlineData(new[] { 601.0, 900 }, 5)]                               // no restart in the last ten minutes
    public void TheDelayDoublesPerRecentRestartUpToTheBound(double[] restartsAgo, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Reconciler.Backoff(Policy, Slot(restartsAgo), T0));

    [Fact]
    public void AZeroDelayBacksOffFromOneSecond() =>
        Assert.Equal(TimeSpan.FromSeconds(4), Reconciler.Backoff(Policy with { Delay = TimeSpan.Zero }, Slot(5, 10), T0));
}

/// <summary>SwarmKit's avoidance of a node where a service's tasks keep failing (5 failures within 5 minutes).</summary>
public class NodeAvoidanceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FiveRecentFailuresOfAServiceOnANodeAvoidItForThatServiceOnly()
    {
        var avoidance = new Orca.Grains.Grains.NodeAvoidance();
        for (int i = 0; i < 4; i++) avoidance.Failed("web", "n1", T0.AddSeconds(i * 10));
        Assert.Null(avoidance.Avoided("web", T0.AddSeconds(40)));
        avoidance.Failed("web", "n1", T0.AddSeconds(40));
        Assert.Equal(["n1"], avoidance.Avoided("web", T0.AddSeconds(41))!);
        Assert.Null(avoidance.Avoided("db", T0.AddSeconds(41)));
        Assert.Null(avoidance.Avoided("web", T0.AddMinutes(5).AddSeconds(1))); // the first failure left the window
    }
}
