using System.CommandLine;
using System.Globalization;
using Orca.Grains.Scheduling;
using Orca.Simulator.Properties;
using Spectre.Console;

namespace Orca.Cli;

/// <summary><c>orca check</c>: the scheduler and reconciliation invariants as properties, at any depth.</summary>
public static class CheckCommand
{
    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "Generated cases per property.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<ulong>("--seed") { Description = "The seed of the generated cases; the same seed finds the same counterexample.", DefaultValueFactory = _ => 1 };
        var property = new Option<string[]>("--property") { Description = "Only these properties (name or number); repeatable. Default: all of them.", AllowMultipleArgumentsPerToken = true };
        var disable = new Option<string[]>("--disable-filter") { Description = "Mutation testing: switch a scheduler filter off to see the checks catch it.", AllowMultipleArgumentsPerToken = true };
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "Where counterexamples are written (default: counterexamples/)." };
        var command = new Command("check", "Property-test the scheduler and reconciliation invariants on generated clusters, services and fault schedules. " +
            "A failure is shrunk and written as a scenario that `orca sim run` replays.")
        {
            runs, seed, property, disable, outDir,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(runs) < 1) return ExitCodes.Refuse("--runs must be 1 or more");
            var selected = new List<CheckProperty>();
            foreach (var name in parse.GetValue(property) ?? [])
            {
                var p = PropertyCatalog.Find(name);
                if (p is null) return ExitCodes.Refuse($"no property '{name}'; expected one of {string.Join(", ", PropertyCatalog.All.Select(x => x.Name))} (or 1–{PropertyCatalog.All.Count})");
                selected.Add(p);
            }
            if (selected.Count == 0) selected.AddRange(PropertyCatalog.All);
            var disabled = parse.GetValue(disable) ?? [];
            foreach (var f in disabled)
                if (!FilterSet.Names.Contains(f)) return ExitCodes.Refuse($"--disable-filter {f}: expected one of {string.Join(", ", FilterSet.Names)}");
            var options = new CheckOptions(parse.GetValue(runs), parse.GetValue(seed), parse.GetValue(outDir)?.FullName ?? Path.GetFullPath("counterexamples"))
            {
                DisabledFilters = disabled,
            };
            var reports = Run(selected, options);
            Print(reports, options);
            return reports.All(r => r.Passed) ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }


    private static List<PropertyReport> Run(List<CheckProperty> properties, CheckOptions options)
    {
        var reports = new List<PropertyReport>();
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            foreach (var p in properties)
            {
                var r = PropertyRunner.Run(p, options);
                Console.WriteLine($"{p.Number,2}. {p.Name}: {(r.Passed ? "passed" : "FAILED")} ({r.Cases} cases, {r.Elapsed.TotalSeconds:0.0}s)");
                reports.Add(r);
            }
            return reports;
        }
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var tasks = properties.ToDictionary(p => p, p => ctx.AddTask($"{p.Number,2}. {p.Name}", autoStart: false, maxValue: options.Runs));
                foreach (var p in properties)
                {
                    var task = tasks[p];
                    task.StartTask();
                    var r = PropertyRunner.Run(p, options, n => { task.Value = n; ctx.Refresh(); });
                    task.Value = options.Runs;
                    task.Description = $"{p.Number,2}. {p.Name} {(r.Passed ? "[green]passed[/]" : "[red]failed[/]")}";
                    task.StopTask();
                    reports.Add(r);
                }
            });
        return reports;
    }

    private static void Print(List<PropertyReport> reports, CheckOptions options)
    {
        var table = new Table().Title($"properties (seed {options.Seed}, {options.Runs} cases each" +
                (options.DisabledFilters.Count > 0 ? $", filters off: {string.Join(", ", options.DisabledFilters)}" : "") + ")")
            .AddColumns("property", "cases", "judged", "shrinks", "result", "time");
        foreach (var r in reports)
            table.AddRow(Markup.Escape(r.Name), r.Cases.ToString(CultureInfo.InvariantCulture), r.Judged.ToString(CultureInfo.InvariantCulture),
                r.Shrinks.ToString(CultureInfo.InvariantCulture),
                r.Passed ? "[green]passed[/]" : "[red]FAILED[/]", $"{r.Elapsed.TotalSeconds:0.0}s");
        AnsiConsole.Write(table);
        // Plain lines, never wrapped: they are meant to be copied.
        foreach (var r in reports.Where(r => !r.Passed))
        {
            Console.WriteLine($"{r.Name}: {r.Failure}");
            if (r.Counterexample is not null) Console.WriteLine($"  shrunk to {r.Counterexample}");
            if (r.CounterexamplePath is not null)
            {
                var path = Path.GetRelativePath(Environment.CurrentDirectory, r.CounterexamplePath);
                Console.WriteLine($"  counterexample: {path}");
                Console.WriteLine($"  replay: ./orca sim run {path}");
            }
        }
        AnsiConsole.MarkupLine(reports.All(r => r.Passed) ? "[green]PASSED[/]" : "[red]FAILED[/]");
    }
}
