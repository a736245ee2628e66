using FsCheck;
using FsCheck.Fluent;

namespace Orca.Simulator.Properties;

/// <summary>FsCheck generators for clusters, services and fault schedules. Sizes grow with FsCheck's size parameter,
/// so early cases are small and later ones reach hundreds of nodes.</summary>
public static class CaseGenerators
{
    /// <summary>Clusters of 1–500 nodes in 1–20 racks (zones above racks), uneven resources, labels, roles, some drained or down.</summary>
    public static Gen<List<NodeCase>> Nodes(int maxNodes) =>
        from racks in Gen.Choose(1, 20)
        from zones in Gen.Choose(1, Math.Min(racks, 4))
        from count in Gen.Sized(size => Gen.Frequency(
            (80, Gen.Choose(1, Math.Clamp(5 + size / 2, 1, 50))),
            (15, Gen.Choose(1, Math.Clamp(size * 2, 1, 200))),
            (5, Gen.Choose(1, Math.Clamp(size * 5, 1, maxNodes)))))
        from nodes in Gen.ListOf(Node(racks, zones), count)
        select nodes.Select((n, i) => n with { Id = $"n{i + 1:D3}" }).ToList();

    private static Gen<NodeCase> Node(int racks, int zones) =>
        from rack in Gen.Choose(1, racks)
        from cpu in Gen.Elements(1000L, 2000L, 4000L, 8000L, 16000L)
        from mem in Gen.Elements(1024L, 2048L, 4096L, 8192L, 32768L)
        from manager in Gen.Frequency((1, Gen.Constant(true)), (9, Gen.Constant(false)))
        from ssd in Gen.Elements(true, false)
        from state in Gen.Frequency((18, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)))
        from bare in Gen.Frequency((19, Gen.Constant(false)), (1, Gen.Constant(true)))
        from gpus in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Choose(1, 4)))
        select new NodeCase("", rack, (rack - 1) % zones + 1, cpu, mem, manager, ssd, state == 1, state == 2, bare, gpus);

    /// <summary>Services: replicas 0–200, requests including ones no node can hold, constraints of both dialects,
    /// max per node, spread preferences, strategies.</summary>
    public static Gen<List<ServiceCase>> Services(int racks, int maxServices, bool light) =>
        from count in Gen.Choose(1, maxServices)
        from services in Gen.ListOf(Service(racks, light), count)
        select services.Select((s, i) => s with { Name = $"s{i + 1}" }).ToList();

    private static Gen<ServiceCase> Service(int racks, bool light) =>
        from replicas in light
            ? Gen.Frequency((8, Gen.Choose(0, 10)), (2, Gen.Choose(0, 30)))
            : Gen.Frequency((70, Gen.Choose(0, 20)), (25, Gen.Choose(0, 100)), (5, Gen.Choose(0, 200)))
        from cpu in light ? Gen.Elements(0L, 10L, 25L, 50L, 64000L) : Gen.Elements(0L, 50L, 100L, 250L, 500L, 1000L, 4000L, 64000L)
        from mem in light ? Gen.Elements(0L, 16L, 32L, 64L, 262144L) : Gen.Elements(0L, 64L, 256L, 1024L, 4096L, 262144L)
        from predicates in Gen.ListOf(Predicate(racks), Math.Min(2, racks)).SelectMany(l => Gen.SubListOf(l.ToArray()))
        from limit in Gen.Frequency((3, Gen.Constant<string?>(null)), (1, Limit(racks)))
        from spread in Gen.SubListOf(new[] { "node.labels.zone", "node.labels.rack", "disk" })
        from maxPerNode in Gen.Frequency((7, Gen.Constant(0)), (3, Gen.Choose(1, 3)))
        from binpack in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from port in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
        from image in Gen.Choose(1, 3)
        from gpu in Gen.Frequency((5, Gen.Constant(0)), (1, Gen.Choose(1, 2)))
        from topology in Gen.Frequency((4, Gen.Constant<string?>(null)),
            (1, Gen.Elements<string?>("zone:1", "node.labels.rack:1", "rack:2:DoNotSchedule", "rack:1:DoNotSchedule:3", "hostname:1", "zone:1:ScheduleAnyway")))
        select new ServiceCase("", replicas, cpu, mem, limit is null ? predicates.ToList() : predicates.Append(limit).ToList(),
            spread.ToList(), maxPerNode, binpack, port, image, gpu, topology);

    private static Gen<string> Predicate(int racks) =>
        from k in Gen.Choose(1, racks)
        from text in Gen.Elements(
            $"node.labels.rack==r{k}", $"node.labels.rack!=r{k}", "node.role!=manager", "node.role==manager",
            "node.labels.disk==ssd", $"rack:LIKE:r[1-{Math.Min(k, 9)}]", $"rack:UNLIKE:r{k}", $"zone:CLUSTER:z{(k - 1) % 4 + 1}")
        select text;

    private static Gen<string?> Limit(int racks) =>
        from n in Gen.Choose(1, 3)
        from text in Gen.Elements("rack:UNIQUE", "hostname:UNIQUE", $"rack:MAX_PER:{n}", $"zone:MAX_PER:{n}", "rack:GROUP_BY", $"rack:GROUP_BY:{n}", "zone:CLUSTER")
        select (string?)text;

    /// <summary>Fault schedules: node crashes and recoveries, rack failures, partitions, drains, cordons, relabelled and
    /// removed nodes, scale changes and service removal, at generated times between 1 and 10 minutes.</summary>
    public static Gen<List<FaultCase>> Faults(IReadOnlyList<NodeCase> nodes, IReadOnlyList<ServiceCase> services) =>
        from count in Gen.Choose(0, 8)
        from faults in Gen.ListOf(Fault(nodes, services), count)
        select faults.OrderBy(f => f.AtSeconds).ToList();

    private static Gen<FaultCase> Fault(IReadOnlyList<NodeCase> nodes, IReadOnlyList<ServiceCase> services) =>
        from at in Gen.Choose(60, 600)
        from kind in Gen.Elements(Enum.GetValues<FaultCaseKind>())
        from node in Gen.Elements(nodes.Select(n => n.Id).ToArray())
        from rack in Gen.Elements(nodes.Select(n => n.Rack).Distinct().ToArray())
        from service in Gen.Elements(services.Select(s => s.Name).ToArray())
        from replicas in Gen.Choose(0, 30)
        from silo in Gen.Choose(1, CheckCase.SiloCount)
        select kind switch
        {
            FaultCaseKind.CrashSilo or FaultCaseKind.RecoverSilo => new FaultCase(at, kind, $"silo{silo}", 0),
            FaultCaseKind.CrashRack or FaultCaseKind.RecoverRack => new FaultCase(at, kind, $"r{rack}", 0),
            FaultCaseKind.Scale => new FaultCase(at, kind, service, replicas),
            FaultCaseKind.Remove => new FaultCase(at, kind, service, 0),
            _ => new FaultCase(at, kind, node, 0),
        };

    /// <summary>A cluster and a batch of services, for the scheduler's properties.</summary>
    public static Gen<CheckCase> Placement() =>
        from nodes in Nodes(500)
        from services in Services(nodes.Select(n => n.Rack).Max(), 6, light: false)
        select new CheckCase(nodes, services, []);

    /// <summary>A cluster, light services and a fault schedule, for the reconciliation properties (run on the simulator).</summary>
    public static Gen<CheckCase> Reconciliation() =>
        from nodes in Nodes(300)
        from services in Services(nodes.Select(n => n.Rack).Max(), 4, light: true)
        from faults in Faults(nodes, services)
        select new CheckCase(nodes, services, faults);
}
