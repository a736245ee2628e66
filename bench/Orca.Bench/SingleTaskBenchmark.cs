using BenchmarkDotNet.Attributes;
using Orca.Grains.Model;
using Orca.Grains.Scheduling;

namespace Orca.Bench;

/// <summary>
/// The common case in production: one task at a time (a replacement after a crash, a scale by one), onto N nodes in
/// racks of 100 that already run 10 tasks per node on average, with a constraint and a spread over racks. Each
/// operation places one task of a 50-replica service (a batch of one) and takes it off again, so the cluster stays as
/// it was. Placements per second = 1 / mean time per operation.
/// </summary>
[MemoryDiagnoser]
public class SingleTaskBenchmark
{
    [Params(5_000, 100_000)]
    public int Nodes;

    private SchedulingState _state = null!;
    private TaskRequest[] _one = null!;
    private PlacementRules _rules = null!;

    [GlobalSetup]
    public void Setup()
    {
        _state = new SchedulingState();
        for (int i = 0; i < Nodes; i++)
            _state.Upsert(new NodeInfo(new NodeSpec($"n{i:D6}", new Resources(16_000, 64L << 30),
                new Dictionary<string, string> { ["rack"] = $"r{i / 100 + 1}", ["disk"] = i % 7 == 0 ? "hdd" : "ssd" }),
                NodeStatus.Ready, NodeAvailability.Active, default));
        var placement = new PlacementSpec(["node.labels.disk==ssd"], ["node.labels.rack"]);
        _rules = PlacementRules.Parse(placement);
        // Background load: 10 tasks per node on average, of 1,000 services.
        var background = Enumerable.Range(0, Nodes * 10).Select(t => new TaskRequest($"bg{t % 1000}.{t}.0", $"bg{t % 1000}", 1, "bg:1",
            new Resources(200, 256L << 20), [], PlacementSpec.None)).ToList();
        Placement.Place(_state, background, _ => PlacementRules.None).ApplyTo(_state);
        var web = Enumerable.Range(1, 49).Select(t => new TaskRequest($"web.{t}.0", "web", 1, "web:1", new Resources(100, 128L << 20), [], placement)).ToList();
        Placement.Place(_state, web, _ => _rules).ApplyTo(_state);
        _one = [new TaskRequest("web.50.0", "web", 1, "web:1", new Resources(100, 128L << 20), [], placement)];
    }

    [Benchmark]
    public string PlaceOne()
    {
        var result = Placement.Place(_state, _one, _ => _rules);
        result.ApplyTo(_state);
        _state.Release("web.50.0");
        return result.Placed[0].NodeId;
    }
}
