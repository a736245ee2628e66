using System.Globalization;
using Orca.Simulator;
using Orca.Simulator.Results;
using Spectre.Console;

namespace Orca.Cli;

/// <summary>The end-of-run report on the console: services, racks, faults, expects, violations.</summary>
public static class SummaryTables
{
    private const int MaxRows = 30;

    public static void Print(SimulationResult result, TimeSpan wall)
    {
        var s = result.Summary;
        AnsiConsole.Write(ServicesTable(s));
        AnsiConsole.Write(RacksTable(s));
        if (s.Faults.Count > 0) AnsiConsole.Write(FaultsTable(s));
        PrintExpects(s);
        PrintViolations(result);
        var rate = wall.TotalSeconds > 0 ? s.Events / wall.TotalSeconds : 0;
        AnsiConsole.MarkupLineInterpolated(
            $"virtual time {Sec(s.VirtualSeconds)}, {s.Events:N0} events ({rate:N0}/s), {s.Messages:N0} grain messages, {s.GrainActivations:N0} activations, wall {wall.TotalSeconds:0.0}s, seed {s.Seed}");
        if (result.OutputDirectory is { } dir) Console.WriteLine($"results: {Path.GetRelativePath(Environment.CurrentDirectory, dir)}");
        AnsiConsole.MarkupLine(s.Passed ? "[green]PASSED[/]" : "[red]FAILED[/]: " + Markup.Escape(FailureLine(s)));
    }

    private static string FailureLine(SimulationSummary s) =>
        string.Join(", ", s.Violations.Select(kv => $"{kv.Value} {kv.Key}"));

    private static Table ServicesTable(SimulationSummary s)
    {
        var t = new Table().Title("services").AddColumns("service", "desired", "running", "pending", "restarts", "worst converge", "pending reason");
        foreach (var svc in s.Services.Take(MaxRows))
        {
            var running = svc.Running < svc.Desired ? $"[yellow]{svc.Running}[/]" : svc.Running.ToString(CultureInfo.InvariantCulture);
            t.AddRow(Markup.Escape(svc.Name) + (svc.Removed ? " (removed)" : ""), svc.Desired.ToString(CultureInfo.InvariantCulture), running,
                svc.Pending.ToString(CultureInfo.InvariantCulture), svc.Restarts.ToString(CultureInfo.InvariantCulture),
                svc.WorstConvergeSeconds is { } w ? Sec(w) : "-", Markup.Escape(svc.PendingReason ?? ""));
        }
        if (s.Services.Count > MaxRows) t.Caption($"{s.Services.Count - MaxRows} more services in summary.json");
        return t;
    }

    private static Table RacksTable(SimulationSummary s)
    {
        var t = new Table().Title("racks").AddColumns("rack", "nodes up", "tasks running");
        foreach (var r in s.Racks.Take(MaxRows))
            t.AddRow(Markup.Escape(r.Rack), r.NodesUp < r.Nodes ? $"[yellow]{r.NodesUp}[/]/{r.Nodes}" : $"{r.NodesUp}/{r.Nodes}",
                r.TasksRunning.ToString(CultureInfo.InvariantCulture));
        if (s.Racks.Count > MaxRows) t.Caption($"{s.Racks.Count - MaxRows} more racks in summary.json");
        return t;
    }

    private static Table FaultsTable(SimulationSummary s)
    {
        var t = new Table().Title("faults: time to converge").AddColumns("at", "fault", "converged after", "services that lost replicas");
        foreach (var f in s.Faults.Take(MaxRows))
            t.AddRow(Sec(f.AtSeconds), Markup.Escape(f.Fault),
                f.ConvergedAfterSeconds is { } c ? (f.ServicesAffected.Count == 0 ? "no replica lost" : Sec(c)) : "[red]not converged[/]",
                Markup.Escape(f.ServicesAffected.Count <= 4 ? string.Join(", ", f.ServicesAffected) : $"{f.ServicesAffected.Count} services"));
        if (s.Faults.Count > MaxRows) t.Caption($"{s.Faults.Count - MaxRows} more faults in summary.json");
        return t;
    }

    private static void PrintExpects(SimulationSummary s)
    {
        if (s.Expects.Count == 0) return;
        int passed = s.Expects.Count(e => e.Passed);
        AnsiConsole.MarkupLineInterpolated($"expect rows: {passed} of {s.Expects.Count} passed");
        foreach (var e in s.Expects.Where(e => !e.Passed))
            AnsiConsole.MarkupLineInterpolated($"  [red]failed[/] line {e.Line} at {Sec(e.AtSeconds)}: expect {e.Target}: {string.Join("; ", e.Failures)}");
    }

    private static void PrintViolations(SimulationResult result)
    {
        var invariants = result.Violations.Where(v => v.Invariant != "expect").ToList();
        if (invariants.Count == 0) return;
        AnsiConsole.MarkupLineInterpolated($"[red]invariant violations[/]: {string.Join(", ", result.Summary.Violations.Where(kv => kv.Key != "expect").Select(kv => $"{kv.Key} ×{kv.Value}"))}");
        foreach (var v in invariants.Take(10))
            AnsiConsole.MarkupLineInterpolated($"  {Sec(v.At.TotalSeconds)} {v.Invariant} {v.Subject}: {v.Detail}");
    }

    private static string Sec(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
}
