using Orca.Grains.Grains;
using Orca.Grains.Model;
using Orca.Simulator.Engine;
using Orca.Simulator.Hosts;
using Orca.Simulator.Metrics;
using Orca.Simulator.Runtime;
using Orca.Simulator.Scenarios;
using Orleans.Runtime;

namespace Orca.Simulator;

/// <summary>Carries out a scenario's steps at their virtual times, as an operator and the world would:
/// API calls go to the grains, faults go to the simulated hosts.</summary>
internal sealed class ScenarioExecutor(SimGrainRuntime runtime, SimCluster cluster, SimObserver observer, SimRandom faults)
{
    private static readonly SendOrPostCallback Run = state => ((Pending)state!).Execute();

    public void Schedule(IEnumerable<ScenarioStep> steps)
    {
        foreach (var step in steps) runtime.Loop.Schedule(step.At.Ticks, Run, new Pending(this, step));
    }

    private sealed record Pending(ScenarioExecutor Executor, ScenarioStep Step)
    {
        public void Execute() => _ = Executor.ExecuteAsync(Step);
    }

    private IClusterGrain Cluster => runtime.GetGrain<IClusterGrain>(IClusterGrain.Key);

    private IServiceGrain Service(string name) => runtime.GetGrain<IServiceGrain>(name);

    private async Task ExecuteAsync(ScenarioStep step)
    {
        try
        {
            switch (step)
            {
                case AddNodesStep add:
                    foreach (var node in add.Nodes) cluster.AddHost(node.Id, node.Capacity);
                    await Task.WhenAll(add.Nodes.Select(n => Cluster.AddNodeAsync(n)));
                    break;
                case UpdateNodesStep update:
                    foreach (var id in update.Nodes)
                    {
                        var spec = await Cluster.UpdateNodeAsync(id, update.Change);
                        cluster.Hosts[id].Capacity = spec.Spec.Capacity;
                    }
                    break;
                case RemoveNodesStep remove:
                    foreach (var id in remove.Nodes) await Cluster.RemoveNodeAsync(id, remove.Force);
                    break;
                case CreateServiceStep create:
                    cluster.SetFailureModel(create.Spec.Name, create.Spec.Image, create.Failure);
                    await Service(create.Spec.Name).CreateAsync(create.Spec);
                    break;
                case UpdateServiceStep update:
                    if (update.Failure is not null) cluster.SetFailureModel(update.Spec.Name, update.Spec.Image, update.Failure);
                    await Service(update.Spec.Name).UpdateAsync(update.Spec);
                    break;
                case RollbackServiceStep rollback:
                    await Service(rollback.Service).RollbackAsync(rollback.Version);
                    break;
                case ScaleStep scale:
                    await Service(scale.Service).ScaleAsync(scale.Replicas);
                    break;
                case RemoveServiceStep remove:
                    await Service(remove.Service).RemoveAsync();
                    break;
                case FaultStep fault:
                    await FaultAsync(fault);
                    break;
                case CrashStormStep storm:
                    PlanStorm(storm);
                    break;
                case ExpectStep expect:
                    observer.Expect(expect);
                    break;
            }
        }
        catch (SiloUnavailableException)
        {
            // The silo that owned the grain died and is not declared dead yet: as the CLI does, try again shortly.
            runtime.Loop.ScheduleAfter(TimeSpan.FromSeconds(1).Ticks, Run, new Pending(this, step));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            observer.Violate(step.At, SimObserver.StepRejected, $"line {step.Line}", e.Message);
        }
    }

    private async Task FaultAsync(FaultStep fault)
    {
        observer.Fault(fault.At, fault.Describe(), fault.IsDisruptive);
        if (fault.Kind == FaultKind.CrashSilo)
        {
            runtime.CrashSilo(fault.Selector);
            observer.SiloCrashed(fault.At, runtime.SiloDeadAfter);
        }
        if (fault.Kind == FaultKind.RecoverSilo) runtime.RecoverSilo(fault.Selector);
        foreach (var id in fault.Nodes)
        {
            var host = cluster.Hosts[id];
            switch (fault.Kind)
            {
                case FaultKind.Crash: host.Crash(); break;
                case FaultKind.Recover: host.Recover(); break;
                case FaultKind.Partition: host.Partition(true); break;
                case FaultKind.Heal: host.Partition(false); break;
                case FaultKind.Slow: host.Slow(fault.Factor); break;
            }
        }
        var availability = fault.Kind switch
        {
            FaultKind.Drain => NodeAvailability.Drain,
            FaultKind.Activate => NodeAvailability.Active,
            FaultKind.Cordon => NodeAvailability.Pause,
            _ => (NodeAvailability?)null,
        };
        if (availability is { } a) await Task.WhenAll(fault.Nodes.Select(id => Cluster.SetAvailabilityAsync(id, a)));
    }

    /// <summary>Draws the storm's crashes (time, node, downtime) from the fault stream; a node is not crashed again
    /// before it has recovered.</summary>
    private void PlanStorm(CrashStormStep storm)
    {
        var busyUntil = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var times = Enumerable.Range(0, storm.Crashes)
            .Select(_ => storm.At + TimeSpan.FromTicks(faults.Uniform(0, storm.Duration.Ticks))).Order().ToList();
        foreach (var at in times)
        {
            string? node = null;
            for (int attempt = 0; attempt < 16 && node is null; attempt++)
            {
                var candidate = storm.Nodes[faults.Next(storm.Nodes.Count)];
                if (busyUntil.GetValueOrDefault(candidate) <= at) node = candidate;
            }
            if (node is null) continue;
            var back = at + TimeSpan.FromTicks(faults.Uniform(storm.DowntimeMin.Ticks, storm.DowntimeMax.Ticks));
            busyUntil[node] = back;
            Schedule([
                new FaultStep(storm.Line, at, FaultKind.Crash, node, [node], 1),
                new FaultStep(storm.Line, back, FaultKind.Recover, node, [node], 1),
            ]);
        }
    }
}
