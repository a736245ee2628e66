using System.Globalization;
using CsvHelper;
using Orca.Grains.Model;
using Orca.Simulator.Hosts;
using Orca.Simulator.Runtime;

namespace Orca.Simulator.Scenarios;

/// <summary>
/// Reads a scenario CSV (<c>time,action,target,params</c>; <c>#</c> starts a comment line). Rows run in time order
/// (file order among equal times). Every row is checked before anything runs: names, numbers, durations,
/// constraints, selectors, and references to nodes and services that earlier rows must have created.
/// </summary>
public static class ScenarioParser
{
    public static readonly string[] Header = ["time", "action", "target", "params"];
    private const int MaxErrors = 50;

    public static Scenario ParseFile(string path)
    {
        if (!File.Exists(path)) throw new ScenarioException([new ScenarioError(path, 0, 0, "", "no such file")]);
        return Parse(File.ReadAllText(path), path);
    }

    public static Scenario Parse(string text, string fileName)
    {
        var errors = new List<ScenarioError>();
        var rows = ReadRows(text, fileName, errors);
        var state = new ParseState(fileName, errors);
        foreach (var row in rows.OrderBy(r => r.At).ThenBy(r => r.Line))
        {
            if (errors.Count >= MaxErrors) break;
            RowHandlers.Apply(row, state);
        }
        if (state.Steps.Count == 0 && errors.Count == 0) errors.Add(new ScenarioError(fileName, 0, 0, "", "the scenario has no rows"));
        if (errors.Count > 0) throw new ScenarioException(errors);
        var end = state.Steps.OfType<EndStep>().Select(s => s.At).DefaultIfEmpty(state.Steps.Max(s => s.At)).Max();
        return new Scenario
        {
            Name = Path.GetFileNameWithoutExtension(fileName),
            Description = Describe(text),
            Steps = state.Steps,
            Cluster = state.Cluster,
            Hosts = state.Hosts,
            Network = state.Network,
            SampleInterval = state.SampleInterval,
            RackLabel = state.RackLabel,
            End = end,
            Silos = state.Silos,
            SiloDeadAfter = state.SiloDeadAfter,
            DisabledFilters = state.DisabledFilters.Distinct(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>The leading comment block, without the '#'.</summary>
    private static string Describe(string text) => string.Join("\n", text.Split('\n')
        .TakeWhile(l => l.TrimStart().StartsWith('#'))
        .Select(l => l.TrimStart().TrimStart('#').Trim())).Trim();

    private static List<RawRow> ReadRows(string text, string file, List<ScenarioError> errors)
    {
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            CommentPrefix = '#',
            SkipEmptyLines = true,
            TrimWhitespace = true,
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Skip,
            OnMalformedRecord = bad => errors.Add(new ScenarioError(file, (int)bad.LineNumber, 0, "row",
                $"malformed CSV ({bad.Reason}): '{bad.RawRecord}'; check the quotes")),
        };
        var rows = new List<RawRow>();
        using var csv = CsvReader.FromText(text, options);
        var header = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (header.Length == 0)
        {
            errors.Add(new ScenarioError(file, 0, 0, "", "the file is empty: expected the header time,action,target,params"));
            return rows;
        }
        if (!header.SequenceEqual(Header))
        {
            errors.Add(new ScenarioError(file, HeaderLine(text), 1, "header",
                $"expected the header '{string.Join(",", Header)}', found '{string.Join(",", csv.Headers)}'"));
            return rows;
        }
        while (csv.Read())
        {
            int line = (int)csv.LineNumber;
            if (csv.FieldCount > Header.Length)
            {
                errors.Add(new ScenarioError(file, line, Header.Length + 1, "row",
                    $"{csv.FieldCount} fields; expected at most 4 (time,action,target,params): quote the params field if it holds commas"));
                continue;
            }
            string Field(int i) => i < csv.FieldCount ? (csv.GetString(i) ?? "").Trim() : "";
            var row = new RowContext(file, line, Field(1).ToLowerInvariant(), errors);
            if (!QuantityFormat.TryParseDuration(Field(0), out var at))
            {
                row.Error(RowContext.TimeColumn, "time", $"'{Field(0)}' is not a time; expected e.g. 0, 90s, 5m or 1h30m");
                continue;
            }
            rows.Add(new RawRow(row, line, at, Field(1).ToLowerInvariant(), Field(2), Field(3)));
        }
        return rows;
    }

    private static int HeaderLine(string text)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var l = lines[i].Trim();
            if (l.Length > 0 && !l.StartsWith('#')) return i + 1;
        }
        return 1;
    }
}

/// <summary>A row as read, before its action interprets it.</summary>
internal sealed record RawRow(RowContext Context, int Line, TimeSpan At, string Action, string Target, string Params);

/// <summary>What the rows read so far have declared: nodes, services as they stand, and the settings.</summary>
internal sealed class ParseState(string file, List<ScenarioError> errors)
{
    public string File { get; } = file;
    public List<ScenarioError> Errors { get; } = errors;
    public List<ScenarioStep> Steps { get; } = [];
    public Dictionary<string, NodeSpec> Nodes { get; } = new(StringComparer.Ordinal);
    public List<string> NodeOrder { get; } = [];

    /// <summary>Nodes removed by <c>remove-node</c> rows (still valid targets of <c>expect,node:ID</c>).</summary>
    public HashSet<string> RemovedNodes { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, ServiceSpec> Services { get; } = new(StringComparer.Ordinal);
    public OrcaOptions Cluster { get; set; } = new();
    public SimHostOptions Hosts { get; set; } = new();
    public NetworkModel Network { get; set; } = NetworkModel.Default;
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(10);
    public string RackLabel { get; set; } = "rack";
    public int Silos { get; set; } = 1;
    public TimeSpan SiloDeadAfter { get; set; } = TimeSpan.FromSeconds(6);
    public List<string> DisabledFilters { get; } = [];
}
