using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Orca.Grains.Runtime;
using Orca.Simulator.Results;

namespace Orca.Simulator.Plots;

public sealed record NodeRow(string Node, string Rack, long CpuMillis, long MemoryBytes);
public sealed record SeriesRow(double At, string Scope, string Name, int Desired, int Running, int Pending);
public sealed record PlacementRow(double At, string Label, string Task, string Service, string Node, string Rack, string State, long CpuMillis, long MemoryBytes);
public sealed record FaultMark(double At, string Fault);
public sealed record NodeTransition(double At, string Node, string Status);

/// <summary>A results folder read back: everything the plots draw comes from these files, so `orca plot` works on
/// any results folder, long after the run.</summary>
public sealed class RunResults
{
    public required string Directory { get; init; }
    public required SimulationSummary Summary { get; init; }
    public required IReadOnlyList<NodeRow> Nodes { get; init; }
    public required IReadOnlyList<SeriesRow> Series { get; init; }
    public required IReadOnlyList<PlacementRow> Placements { get; init; }
    public required IReadOnlyList<NodeTransition> NodeTransitions { get; init; }

    /// <summary>Every fault and recovery row of the scenario, as it happened.</summary>
    public required IReadOnlyList<FaultMark> FaultMarks { get; init; }

    /// <summary>(creation time, seconds from pending to running) of every task that ran.</summary>
    public required IReadOnlyList<(double Created, double Latency)> SchedulingLatencies { get; init; }

    public static readonly string[] Files = ["summary.json", "nodes.csv", "timeseries.csv", "placements.csv", "events.csv"];

    public static RunResults Read(string directory)
    {
        foreach (var f in Files)
            if (!File.Exists(Path.Combine(directory, f)))
                throw new FileNotFoundException($"{directory} is not a results folder of orca sim run: {f} is missing");
        var summary = JsonSerializer.Deserialize<SimulationSummary>(File.ReadAllText(Path.Combine(directory, "summary.json")), OrcaJson.Options)
            ?? throw new InvalidDataException($"{directory}/summary.json is empty");
        var nodes = Rows(directory, "nodes.csv", r => new NodeRow(r.GetString(0), r.GetString(1), Long(r, 4), Long(r, 5)));
        var series = Rows(directory, "timeseries.csv", r => new SeriesRow(Double(r, 0), r.GetString(1), r.GetString(2), Int(r, 3), Int(r, 4), Int(r, 5)));
        var placements = Rows(directory, "placements.csv", r => new PlacementRow(Double(r, 0), r.GetString(1), r.GetString(2), r.GetString(3),
            r.GetString(5), r.GetString(6), r.GetString(7), Long(r, 8), Long(r, 9)));
        var transitions = new List<NodeTransition>();
        var faults = new List<FaultMark>();
        var pendingSince = new Dictionary<string, double>(StringComparer.Ordinal);
        var latencies = new List<(double, double)>();
        using (var events = CsvReader.FromFile(Path.Combine(directory, "events.csv"), Options))
        {
            while (events.Read())
            {
                var kind = events.GetString(1);
                if (kind == "node") transitions.Add(new NodeTransition(Double(events, 0), events.GetString(2), events.GetString(5)));
                else if (kind == "fault") faults.Add(new FaultMark(Double(events, 0), events.GetString(2)));
                else if (kind == "task")
                {
                    var state = events.GetString(5);
                    if (state == "pending") pendingSince[events.GetString(2)] = Double(events, 0);
                    else if (state == "running" && pendingSince.Remove(events.GetString(2), out var created))
                        latencies.Add((created, Double(events, 0) - created));
                }
            }
        }
        return new RunResults
        {
            Directory = directory, Summary = summary, Nodes = nodes, Series = series, Placements = placements,
            NodeTransitions = transitions, FaultMarks = faults, SchedulingLatencies = latencies,
        };
    }

    /// <summary>The placement snapshots: (time, label) of each, in time order; "end" last.</summary>
    public IReadOnlyList<(double At, string Label)> Snapshots =>
        Placements.Select(p => (p.At, p.Label)).Distinct().OrderBy(s => s.At).ThenBy(s => s.Label == "end" ? 1 : 0).ToList();

    /// <summary>Each node's status (ready, suspect, down) as of time <paramref name="at"/>.</summary>
    public Dictionary<string, string> StatusAt(double at)
    {
        var status = Nodes.ToDictionary(n => n.Node, _ => "ready", StringComparer.Ordinal);
        foreach (var t in NodeTransitions)
            if (t.At <= at) status[t.Node] = t.Status;
        return status;
    }

    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with { Separator = ',', HasHeader = true };

    private static List<T> Rows<T>(string directory, string file, Func<CsvReader, T> map)
    {
        var rows = new List<T>();
        using var csv = CsvReader.FromFile(Path.Combine(directory, file), Options);
        while (csv.Read()) rows.Add(map(csv));
        return rows;
    }

    private static double Double(CsvReader r, int i) => double.Parse(r.GetString(i), CultureInfo.InvariantCulture);
    private static int Int(CsvReader r, int i) => r.IsEmpty(i) ? 0 : int.Parse(r.GetString(i), CultureInfo.InvariantCulture);
    private static long Long(CsvReader r, int i) => r.IsEmpty(i) ? 0 : long.Parse(r.GetString(i), CultureInfo.InvariantCulture);
}
