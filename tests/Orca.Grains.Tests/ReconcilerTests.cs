using Orca.Grains.Model;
using Orca.Grains.Reconciliation;
using static Orca.Grains.Reconciliation.ReconcileAction;

namespace Orca.Grains.Tests;

/// <summary>A harness in the style of Nomad's reconciler tests: slots in, actions out.</summary>
public class ReconcilerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ServiceSpec Spec(int replicas, RestartPolicy? restart = null, UpdatePolicy? update = null) =>
        ServiceSpec.Create("web", "img:1", replicas, Resources.Zero) with
        {
            Restart = restart ?? RestartPolicy.Default,
            Update = update ?? UpdatePolicy.Default,
        };

    private static TaskInfo Task(int slot, TaskState state, string? node = "n1", int gen = 0, int version = 1, DateTimeOffset? at = null) =>
        new($"web.{slot}.{gen}", slot, gen, version, state, DesiredTaskState.Running, node, null, null, at ?? T0);

    private static SlotView Slot(TaskInfo? current, TaskInfo? previous = null, DateTimeOffset[]? restarts = null, bool updating = false) =>
        new(current?.Slot ?? previous!.Slot, current, previous, restarts ?? [], updating);

    private static ReconcileResult Compute(ServiceSpec spec, params SlotView[] slots) => Reconciler.Compute(spec, 1, slots, T0, T0);

    [Fact]
    public void NewServiceStartsOneTaskPerSlot()
    {
        var r = Compute(Spec(3));
        Assert.Equal([1, 2, 3], r.Actions.OfType<StartTask>().Select(a => a.Slot));
    }

    [Fact]
    public void ScaleUpFillsTheLowestFreeSlots()
    {
        var r = Compute(Spec(4), Slot(Task(1, TaskState.Running)), Slot(Task(3, TaskState.Running)));
        Assert.Equal([2, 4], r.Actions.OfType<StartTask>().Select(a => a.Slot));
    }

    [Fact]
    public void ScaleDownRemovesNonRunningFirstThenFromTheNodeWithMostCopies()
    {
        var r = Compute(Spec(2),
            Slot(Task(1, TaskState.Running, "n1")), Slot(Task(2, TaskState.Running, "n2")),
            Slot(Task(3, TaskState.Running, "n2")), Slot(Task(4, TaskState.Pending, null)));
        Assert.Equal([3, 4], r.Actions.OfType<RemoveSlot>().Select(a => a.Slot).Order());
        Assert.Equal(["web.3.0", "web.4.0"], r.Actions.OfType<StopTask>().Select(a => a.TaskId).Order());
    }

    [Theory]
    [InlineData(TaskState.Orphaned)]
    [InlineData(TaskState.Shutdown)]
    public void TasksLostWithTheirNodeAreReplacedAtOnceNotCountedAsRestarts(TaskState state)
    {
        var r = Compute(Spec(1, new RestartPolicy(RestartCondition.None, TimeSpan.FromMinutes(1), 1, TimeSpan.Zero)), Slot(Task(1, state)));
        var start = Assert.IsType<StartTask>(Assert.Single(r.Actions));
        Assert.Equal(StartReason.Replacement, start.Reason);
    }

    [Theory]
    [InlineData(RestartCondition.Any, TaskState.Complete, true)]
    [InlineData(RestartCondition.Any, TaskState.Failed, true)]
    [InlineData(RestartCondition.OnFailure, TaskState.Complete, false)]
    [InlineData(RestartCondition.OnFailure, TaskState.Failed, true)]
    [InlineData(RestartCondition.None, TaskState.Failed, false)]
    public void RestartConditions(RestartCondition condition, TaskState exit, bool restarts)
    {
        var r = Compute(Spec(1, new RestartPolicy(condition, TimeSpan.Zero, 0, TimeSpan.Zero)), Slot(Task(1, exit)));
        Assert.Equal(restarts, r.Actions.OfType<StartTask>().Any(a => a.Reason == StartReason.Restart));
    }

    [Fact]
    public void RestartWaitsForTheDelay()
    {
        var spec = Spec(1, new RestartPolicy(RestartCondition.Any, TimeSpan.FromSeconds(10), 0, TimeSpan.Zero));
        var exited = Slot(Task(1, TaskState.Failed, at: T0.AddSeconds(-4)));
        var r = Reconciler.Compute(spec, 1, [exited], T0, T0);
        Assert.Empty(r.Actions);
        Assert.Equal(T0.AddSeconds(6), r.WakeAt);
        Assert.Single(Reconciler.Compute(spec, 1, [exited], T0, T0.AddSeconds(6)).Actions.OfType<StartTask>());
    }

    [Fact]
    public void MaxAttemptsCountOnlyWithinTheWindow()
    {
        var spec = Spec(1, new RestartPolicy(RestartCondition.Any, TimeSpan.Zero, 2, TimeSpan.FromMinutes(1)));
        var recent = Slot(Task(1, TaskState.Failed), restarts: [T0.AddSeconds(-30), T0.AddSeconds(-10)]);
        Assert.Empty(Compute(spec, recent).Actions);
        var old = Slot(Task(1, TaskState.Failed), restarts: [T0.AddMinutes(-5), T0.AddSeconds(-10)]);
        Assert.Single(Reconciler.Compute(spec, 1, [old], T0, T0.AddSeconds(10)).Actions.OfType<StartTask>()); // after its back-off (4s)
    }

    [Fact]
    public void AnEndedTaskOfAnOlderVersionIsReplacedAtOnceWithoutBackoff()
    {
        var spec = Spec(1, new RestartPolicy(RestartCondition.Any, TimeSpan.FromSeconds(30), 0, TimeSpan.Zero));
        var crashed = Slot(Task(1, TaskState.Failed, version: 1), restarts: [T0.AddSeconds(-20), T0.AddSeconds(-10)]);
        var start = Assert.Single(Reconciler.Compute(spec, 2, [crashed], T0, T0).Actions.OfType<StartTask>());
        Assert.Equal(StartReason.Replacement, start.Reason);
        Assert.Empty(Reconciler.Compute(spec, 1, [crashed], T0, T0).Actions); // its own version waits out the back-off
    }

    [Fact]
    public void RollingUpdateStopFirstRespectsParallelism()
    {
        var spec = Spec(3, update: new UpdatePolicy(2, TimeSpan.Zero, UpdateOrder.StopFirst));
        var slots = Enumerable.Range(1, 3).Select(i => Slot(Task(i, TaskState.Running, version: 1))).ToArray();
        var r = Reconciler.Compute(spec, 2, slots, T0, T0);
        Assert.Equal(["web.1.0", "web.2.0"], r.Actions.OfType<StopTask>().Select(a => a.TaskId));
        Assert.Equal([1, 2], r.Actions.OfType<StartTask>().Select(a => a.Slot));
        Assert.True(r.UpdateInProgress);
    }

    [Fact]
    public void RollingUpdateWaitsForInFlightSlots()
    {
        var spec = Spec(3, update: new UpdatePolicy(1, TimeSpan.Zero, UpdateOrder.StopFirst));
        var r = Reconciler.Compute(spec, 2,
            [Slot(Task(1, TaskState.Starting, gen: 1, version: 2), updating: true), Slot(Task(2, TaskState.Running)), Slot(Task(3, TaskState.Running))], T0, T0);
        Assert.Empty(r.Actions);
    }

    [Fact]
    public void StartFirstStopsThePreviousTaskOnceTheNewOneRuns()
    {
        var spec = Spec(1, update: new UpdatePolicy(1, TimeSpan.Zero, UpdateOrder.StartFirst));
        var starting = Reconciler.Compute(spec, 2, [Slot(Task(1, TaskState.Starting, gen: 1, version: 2), Task(1, TaskState.Running), updating: true)], T0, T0);
        Assert.Empty(starting.Actions);
        var running = Reconciler.Compute(spec, 2, [Slot(Task(1, TaskState.Running, gen: 1, version: 2), Task(1, TaskState.Running))], T0, T0);
        Assert.Equal("web.1.0", Assert.IsType<StopTask>(Assert.Single(running.Actions)).TaskId);
    }

    [Fact]
    public void UpdateDelayIsHonoured()
    {
        var spec = Spec(2, update: new UpdatePolicy(1, TimeSpan.FromSeconds(30), UpdateOrder.StopFirst));
        var r = Reconciler.Compute(spec, 2, [Slot(Task(1, TaskState.Running, gen: 1, version: 2)), Slot(Task(2, TaskState.Running))], T0.AddSeconds(20), T0);
        Assert.Empty(r.Actions);
        Assert.Equal(T0.AddSeconds(20), r.WakeAt);
    }
}
