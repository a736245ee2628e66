using BenchmarkDotNet.Attributes;
using Orca.Grains.Model;
using Orca.Grains.Scheduling;

namespace Orca.Bench;

/// <summary>
/// The scheduler alone: one batch of 5,000 tasks (10 services × 500) onto N nodes in 10 racks, with resource fit,
/// spread over racks and one constraint. Placements per second = 5,000 / mean time per operation.
/// </summary>
[MemoryDiagnoser]
public class SchedulerBenchmark
{
    private const int Services = 10, TasksPerService = 500;

    [Params(1_000, 5_000, 10_000)]
    public int Nodes;

    private List<NodeInfo> _nodes = null!;
    private List<TaskRequest> _batch = null!;
    private PlacementRules _rules = null!;

    [GlobalSetup]
    public void Setup()
    {
        _nodes = Enumerable.Range(0, Nodes).Select(i => new NodeInfo(
            new NodeSpec($"n{i:D5}", new Resources(16_000, 64L << 30),
                new Dictionary<string, string> { ["rack"] = $"r{i % 10 + 1}", ["disk"] = i % 7 == 0 ? "hdd" : "ssd" }),
            NodeStatus.Ready, NodeAvailability.Active, default)).ToList();
        var placement = new PlacementSpec(["node.labels.disk==ssd"], ["node.labels.rack"]);
        _rules = PlacementRules.Parse(placement);
        _batch = Enumerable.Range(0, Services).SelectMany(s => Enumerable.Range(0, TasksPerService).Select(t =>
            new TaskRequest($"svc{s}.{t}.0", $"svc{s}", 1, $"img{s}:1", new Resources(100, 128L << 20), [], placement))).ToList();
    }

    /// <summary>A fresh cluster each time, so every operation places the whole batch from empty.</summary>
    [Benchmark(OperationsPerInvoke = Services * TasksPerService)]
    public int PlaceBatch()
    {
        var state = new SchedulingState();
        foreach (var n in _nodes) state.Upsert(n);
        var result = Placement.Place(state, _batch, _ => _rules);
        return result.Placed.Count;
    }
}
