using System.Text.Json;
using Orca.Grains.Grains;
using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Grains.Scheduling;
using Orca.Simulator.Engine;
using Orca.Simulator.Hosts;
using Orca.Simulator.Metrics;
using Orca.Simulator.Results;
using Orca.Simulator.Runtime;
using Orca.Simulator.Scenarios;

namespace Orca.Simulator;

public sealed record SimulationOptions
{
    public ulong Seed { get; init; } = 1;

    /// <summary>Stop at this virtual time instead of the scenario's end.</summary>
    public TimeSpan? Until { get; init; }

    /// <summary>Round-trip every message, reply and state write through JSON.</summary>
    public bool SerializeMessages { get; init; }

    /// <summary>Where to write the results folder; null writes nothing.</summary>
    public string? OutputDirectory { get; init; }
}

public readonly record struct SimulationProgress(TimeSpan VirtualTime, TimeSpan End, long Events);

public sealed record SimulationResult(SimulationSummary Summary, IReadOnlyList<Violation> Violations, string? OutputDirectory);

/// <summary>Runs a scenario on the deterministic simulator: same scenario and seed, same results, byte for byte.</summary>
public static class Simulation
{
    public static SimulationResult Run(Scenario scenario, SimulationOptions options, Action<SimulationProgress>? progress = null)
    {
        var end = options.Until ?? scenario.End;
        var outDir = options.OutputDirectory;
        if (outDir is not null) Directory.CreateDirectory(outDir);
        TextWriter Open(string name) => outDir is null ? TextWriter.Null : new StreamWriter(Path.Combine(outDir, name), false, new System.Text.UTF8Encoding(false), 1 << 16);

        var loop = new EventLoop();
        var random = new SimRandom(options.Seed);
        var cluster = new SimCluster(loop, random, scenario.Hosts);
        var observer = new SimObserver(scenario.RackLabel, Open("events.csv"), Open("timeseries.csv"), Open("placements.csv"),
            TimeSpan.FromSeconds(2))
        {
            FaultWindow = scenario.Cluster.DownAfter + TimeSpan.FromMinutes(1),
            ChangeGrace = scenario.Cluster.DownAfter + scenario.Cluster.StopGracePeriod,
        };
        // With several silos, state must really round-trip: a crashed silo's unsaved changes are lost.
        var store = new SimStateStore(options.SerializeMessages || scenario.Silos > 1);
        var runtime = new SimGrainRuntime(loop, store, cluster, observer, scenario.Cluster, random, scenario.Network, options.SerializeMessages);
        runtime.AddService(new FilterSet(scenario.DisabledFilters));
        cluster.Runtime = runtime;
        if (scenario.Silos > 1)
        {
            runtime.ConfigureSilos(scenario.Silos);
            runtime.SiloDeadAfter = scenario.SiloDeadAfter;
        }

        var executor = new ScenarioExecutor(runtime, cluster, observer, random.Fork("faults"));
        executor.Schedule(scenario.Steps);
        ScheduleSamples(loop, observer, runtime, scenario.SampleInterval, end);
        if (progress is not null)
        {
            loop.OnProgress = l => progress(new SimulationProgress(TimeSpan.FromTicks(l.Now), end, l.EventsProcessed));
            progress(new SimulationProgress(TimeSpan.Zero, end, 0));
        }
        loop.Run(end.Ticks);
        progress?.Invoke(new SimulationProgress(end, end, loop.EventsProcessed));

        foreach (var fault in runtime.Faults) observer.Violate(end, SimObserver.GrainFault, "runtime", fault);
        GroundTruthCheck.Run(cluster, observer, end, 2 * scenario.Cluster.HeartbeatInterval + scenario.Hosts.UnreachableTimeout);
        observer.WritePlacements(end, "end");
        var summary = Summarize(scenario, options, end, loop, runtime, observer);
        observer.Flush();
        if (outDir is not null)
        {
            WriteFiles(outDir, summary, observer);
            observer.WriteNodes(Open("nodes.csv"));
        }
        return new SimulationResult(summary, observer.Violations, outDir);
    }

    private static void ScheduleSamples(EventLoop loop, SimObserver observer, SimGrainRuntime runtime, TimeSpan interval, TimeSpan end)
    {
        SendOrPostCallback sample = null!;
        sample = _ =>
        {
            observer.Sample(runtime.Time.GetUtcNow());
            if (loop.Now + interval.Ticks <= end.Ticks) loop.ScheduleAfter(interval.Ticks, sample, null);
        };
        loop.Schedule(0, sample, null);
    }

    private static double Seconds(TimeSpan t) => Math.Round(t.TotalSeconds, 3);

    private static SimulationSummary Summarize(Scenario scenario, SimulationOptions options, TimeSpan end, EventLoop loop,
        SimGrainRuntime runtime, SimObserver observer)
    {
        var services = observer.Services.Values.OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new ServiceSummary(s.Name, s.Desired, s.Running, s.Pending, s.Restarts,
                s.WorstConvergence is { } w ? Seconds(w) : null, s.PendingReason, s.Removed,
                s.Spec?.Placement.Spread ?? [], s.Spec?.Placement.Constraints ?? [])).ToList();
        var racks = observer.Racks.Select(r => new RackSummary(r.Key, r.Value.Count,
            r.Value.Count(n => n.Status == NodeStatus.Ready), r.Value.Sum(n => n.Running))).ToList();
        var faults = observer.Faults.Select(f => new FaultSummary(Seconds(f.At), f.Description,
            f.ConvergedAfter is { } c ? Seconds(c) : null,
            f.Affected.Keys.Select(s => s.Name).Order(StringComparer.Ordinal).ToList())).ToList();
        var expects = observer.Expects.Select(e => new ExpectSummary(e.Line, Seconds(e.At), e.Target, e.Passed,
            e.Values.Select(v => $"{v.Check} (actual {v.Actual})").ToList(), e.Failures)).ToList();
        bool passed = observer.ViolationCounts.Values.Sum() == 0;
        return new SimulationSummary(scenario.Name, options.Seed, Seconds(end), loop.EventsProcessed, runtime.MessagesSent,
            runtime.Activations, observer.EventCount, passed, services, racks, faults, expects,
            new SortedDictionary<string, long>(observer.ViolationCounts.ToDictionary(), StringComparer.Ordinal), runtime.Faults);
    }

    private static readonly JsonSerializerOptions SummaryJson = new(OrcaJson.Options) { WriteIndented = true };

    private static void WriteFiles(string outDir, SimulationSummary summary, SimObserver observer)
    {
        File.WriteAllText(Path.Combine(outDir, "summary.json"), JsonSerializer.Serialize(summary, SummaryJson) + "\n");
        using var violations = new CsvLineWriter(new StreamWriter(Path.Combine(outDir, "violations.csv"), false, new System.Text.UTF8Encoding(false)));
        violations.Row("time_s", "invariant", "subject", "detail");
        foreach (var v in observer.Violations) violations.Seconds(v.At).Field(v.Invariant).Field(v.Subject).Field(v.Detail).End();
    }
}
