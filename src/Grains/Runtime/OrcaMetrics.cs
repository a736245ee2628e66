using System.Diagnostics.Metrics;

namespace Orca.Grains.Runtime;

/// <summary>
/// Orca's own instruments (meter "Orca"), recorded by the grains as things happen, so that a scrape reads instruments
/// and never calls a grain. Gauges are up-down counters that each grain moves by what it changed and takes back when
/// its activation ends (a grain that moves to another silo is counted there); each silo exports what its own
/// activations recorded, and their sum is the cluster's.
/// </summary>
public sealed class OrcaMetrics
{
    public const string MeterName = "Orca";

    public OrcaMetrics(IMeterFactory? factory = null)
    {
        var meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        TasksPlaced = meter.CreateCounter<long>("orca.tasks.placed", description: "Tasks the scheduler placed on a node.");
        Pending = meter.CreateUpDownCounter<long>("orca.scheduler.pending", description: "Tasks waiting at the scheduler for a node.");
        ReconcilePasses = meter.CreateCounter<long>("orca.reconcile.passes", description: "Reconciliation passes of the services.");
        ContainerStarts = meter.CreateCounter<long>("orca.container.starts", description: "Container starts on the hosts, by outcome.");
        ContainerStartDuration = meter.CreateHistogram<double>("orca.container.start.duration", "s",
            "From a node grain asking its host for a container to the container running (pull, create, start).");
        SchedulingLatency = meter.CreateHistogram<double>("orca.task.scheduling.latency", "s", "From a task pending to it running.");
        Nodes = meter.CreateUpDownCounter<long>("orca.nodes", description: "Nodes by status.");
        ServiceReplicas = meter.CreateUpDownCounter<long>("orca.service.replicas", description: "Replicas per service: desired, running, pending.");
    }

    public Counter<long> TasksPlaced { get; }
    public UpDownCounter<long> Pending { get; }
    public Counter<long> ReconcilePasses { get; }
    public Counter<long> ContainerStarts { get; }
    public Histogram<double> ContainerStartDuration { get; }
    public Histogram<double> SchedulingLatency { get; }
    public UpDownCounter<long> Nodes { get; }
    public UpDownCounter<long> ServiceReplicas { get; }
}
