using System.CommandLine;
using System.Diagnostics;
using Orca.Grains.Model;
using Orca.Simulator;
using Orca.Simulator.Scenarios;
using Spectre.Console;

namespace Orca.Cli;

/// <summary><c>orca sim run FILE</c> and <c>orca sim validate FILE</c>.</summary>
public static class SimCommands
{
    public static Command Create()
    {
        var sim = new Command("sim", "Replay failure scenarios on the deterministic simulator.");
        sim.Subcommands.Add(RunCommand());
        sim.Subcommands.Add(ValidateCommand());
        return sim;
    }

    private static Command RunCommand()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The scenario CSV (see scenarios/README.md)." };
        var seed = new Option<ulong>("--seed") { Description = "The seed; the same scenario and seed give identical results.", DefaultValueFactory = _ => 1 };
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "The results folder (default: results/SCENARIO-seedN)." };
        var until = new Option<string?>("--until") { Description = "Stop at this virtual time (e.g. 30m) instead of the scenario's end." };
        var serialize = new Option<bool>("--serialize") { Description = "Round-trip every grain message and state write through JSON." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress bar." };
        var command = new Command("run", "Replay a scenario, print a summary and write a results folder. Exits 1 if an expect row or invariant fails.")
        {
            file, seed, outDir, until, serialize, quiet,
        };
        command.SetAction(parse =>
        {
            var scenario = Load(parse.GetValue(file)!);
            if (scenario is null) return ExitCodes.BadInput;
            TimeSpan? stopAt = null;
            if (parse.GetValue(until) is { } text)
            {
                if (!QuantityFormat.TryParseDuration(text, out var t) || t <= TimeSpan.Zero)
                    return ExitCodes.Refuse($"--until {text}: expected a virtual time such as 90s, 30m or 1h30m");
                stopAt = t;
            }
            var options = new SimulationOptions
            {
                Seed = parse.GetValue(seed),
                Until = stopAt,
                SerializeMessages = parse.GetValue(serialize),
                OutputDirectory = parse.GetValue(outDir)?.FullName ?? Path.Combine("results", $"{scenario.Name}-seed{parse.GetValue(seed)}"),
            };
            return RunAndReport(scenario, options, parse.GetValue(quiet));
        });
        return command;
    }

    private static Command ValidateCommand()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The scenario CSV." };
        var command = new Command("validate", "Check a scenario file without running it.") { file };
        command.SetAction(parse =>
        {
            var scenario = Load(parse.GetValue(file)!);
            if (scenario is null) return ExitCodes.BadInput;
            AnsiConsole.MarkupLineInterpolated($"[green]ok[/] {scenario.Name}: {scenario.Steps.Count} steps, ends at {QuantityFormat.Duration(scenario.End)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Scenario? Load(FileInfo file)
    {
        try
        {
            return ScenarioParser.ParseFile(file.FullName == file.ToString() ? file.FullName : file.ToString());
        }
        catch (ScenarioException e)
        {
            foreach (var error in e.Errors) Console.Error.WriteLine($"error: {error}");
            Console.Error.WriteLine($"{e.Errors.Count} error(s); the scenario did not run.");
            return null;
        }
    }

    private static int RunAndReport(Scenario scenario, SimulationOptions options, bool quiet)
    {
        var wall = Stopwatch.StartNew();
        SimulationResult result;
        if (quiet) result = Simulation.Run(scenario, options);
        else if (AnsiConsole.Profile.Capabilities.Interactive) result = RunWithProgressBar(scenario, options, wall);
        else result = RunWithProgressLines(scenario, options, wall);
        wall.Stop();
        SummaryTables.Print(result, wall.Elapsed);
        if (result.OutputDirectory is { } dir)
        {
            var report = Orca.Simulator.Plots.PlotSet.WriteAll(Orca.Simulator.Plots.RunResults.Read(dir));
            Console.WriteLine($"report: {Path.GetRelativePath(Environment.CurrentDirectory, report)}");
            PlotCommand.WarnWithoutFonts();
        }
        return result.Summary.Passed ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static SimulationResult RunWithProgressBar(Scenario scenario, SimulationOptions options, Stopwatch wall)
    {
        SimulationResult? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(scenario.Name, maxValue: 1);
                result = Simulation.Run(scenario, options, p =>
                {
                    task.Value = p.End.Ticks == 0 ? 1 : (double)p.VirtualTime.Ticks / p.End.Ticks;
                    task.Description = $"{scenario.Name}  t={QuantityFormat.Duration(TruncateToSeconds(p.VirtualTime))}  {Rate(p.Events, wall)} events/s";
                    ctx.Refresh();
                });
            });
        return result!;
    }

    private static SimulationResult RunWithProgressLines(Scenario scenario, SimulationOptions options, Stopwatch wall)
    {
        int lastDecile = -1;
        return Simulation.Run(scenario, options, p =>
        {
            int decile = p.End.Ticks == 0 ? 10 : (int)(10 * p.VirtualTime.Ticks / p.End.Ticks);
            if (decile == lastDecile) return;
            lastDecile = decile;
            Console.WriteLine($"[{decile * 10,3}%] t={QuantityFormat.Duration(TruncateToSeconds(p.VirtualTime))} events={p.Events} ({Rate(p.Events, wall)} events/s)");
        });
    }

    private static TimeSpan TruncateToSeconds(TimeSpan t) => TimeSpan.FromSeconds(Math.Floor(t.TotalSeconds));

    private static string Rate(long events, Stopwatch wall) =>
        wall.Elapsed.TotalSeconds < 0.01 ? "-" : $"{events / wall.Elapsed.TotalSeconds:N0}";
}
