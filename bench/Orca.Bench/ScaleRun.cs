using System.Diagnostics;
using Orca.Simulator;
using Orca.Simulator.Scenarios;

namespace Orca.Bench;

/// <summary>An end-to-end scale run of a scenario: wall time, events, events/s and peak memory of this process.</summary>
public static class ScaleRun
{
    public static int Run(string[] args)
    {
        var file = args.Length > 0 ? args[0] : "scenarios/datacenter.csv";
        var scenario = ScenarioParser.ParseFile(file);
        var wall = Stopwatch.StartNew();
        var result = Simulation.Run(scenario, new SimulationOptions { Seed = 1, OutputDirectory = Path.Combine(Path.GetTempPath(), "orca-scale") });
        wall.Stop();
        using var self = Process.GetCurrentProcess();
        var s = result.Summary;
        Console.WriteLine($"scenario        {s.Scenario} (seed {s.Seed}, {s.VirtualSeconds:0}s virtual)");
        Console.WriteLine($"wall            {wall.Elapsed.TotalSeconds:0.00} s");
        Console.WriteLine($"events          {s.Events:N0} ({s.Events / wall.Elapsed.TotalSeconds:N0} events/s)");
        Console.WriteLine($"grain messages  {s.Messages:N0}, activations {s.GrainActivations:N0}, orca events {s.OrcaEvents:N0}");
        Console.WriteLine($"peak memory     {self.PeakWorkingSet64 / (1024.0 * 1024):N0} MiB (peak working set)");
        Console.WriteLine($"passed          {s.Passed}");
        return s.Passed ? 0 : 1;
    }
}
