using System.Globalization;

namespace Orca.Simulator.Properties;

/// <summary>A generated node. Down nodes crash at time 0; drained ones are drained at time 0. A bare node has no rack
/// or zone label (it belongs to no rack: spreading over racks passes it by). <see cref="Gpus"/>: named GPUs GPU-0….</summary>
public sealed record NodeCase(string Id, int Rack, int Zone, long CpuMillis, long MemoryMi, bool Manager, bool Ssd, bool Down, bool Drained, bool Bare = false,
    int Gpus = 0);

/// <summary>A generated service (created in list order).</summary>
public sealed record ServiceCase(string Name, int Replicas, long CpuMillis, long MemoryMi, IReadOnlyList<string> Constraints,
    IReadOnlyList<string> Spread, int MaxPerNode, bool Binpack, bool Port80, int Image, int Gpu = 0, string? Topology = null)
{
    /// <summary>Services may share an image, as sidecars and variants of one app do.</summary>
    public string ImageName => $"img{Image}:1";
}

/// <summary><see cref="Relabel"/> turns the node's disk label over (ssd to hdd, hdd to ssd); <see cref="RemoveNode"/>
/// removes it with force; <see cref="Cordon"/> pauses it.</summary>
public enum FaultCaseKind { Crash, Recover, CrashRack, RecoverRack, Partition, Heal, Drain, Activate, Scale, Remove, CrashSilo, RecoverSilo, Relabel, RemoveNode, Cordon }

/// <summary>A generated event at a time: a fault on a node or rack, or a change to a service.</summary>
public sealed record FaultCase(int AtSeconds, FaultCaseKind Kind, string Target, int Replicas)
{
    /// <summary>A change an operator makes to a node (refused once the node is removed), as opposed to what
    /// happens to its host.</summary>
    public bool IsNodeOperation => Kind is FaultCaseKind.Drain or FaultCaseKind.Activate or FaultCaseKind.Relabel
        or FaultCaseKind.RemoveNode or FaultCaseKind.Cordon;
}

/// <summary>One generated test case: a cluster, services and (for reconciliation properties) a fault schedule.
/// It is written as a scenario CSV, which is also how a counterexample is replayed.</summary>
public sealed record CheckCase(IReadOnlyList<NodeCase> Nodes, IReadOnlyList<ServiceCase> Services, IReadOnlyList<FaultCase> Faults)
{
    public int Racks => Nodes.Select(n => n.Rack).Distinct().Count();

    /// <summary>Cases with silo faults run on <see cref="SiloCount"/> simulated silos; the others on one.</summary>
    public const int SiloCount = 3;
    public bool HasSiloFaults => Faults.Any(f => f.Kind is FaultCaseKind.CrashSilo or FaultCaseKind.RecoverSilo);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Nodes.Count} nodes in {Racks} racks, {Services.Count} services ({Services.Sum(s => s.Replicas)} replicas), {Faults.Count} faults");
}
