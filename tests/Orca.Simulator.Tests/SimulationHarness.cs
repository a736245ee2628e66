using Orca.Simulator.Scenarios;

namespace Orca.Simulator.Tests;

internal static class SimulationHarness
{
    public const string Header = "time,action,target,params\n";

    public static SimulationResult Run(string rows, ulong seed = 1, bool serialize = false, string? outDir = null) =>
        Simulation.Run(ScenarioParser.Parse(Header + rows, "test.csv"),
            new SimulationOptions { Seed = seed, SerializeMessages = serialize, OutputDirectory = outDir });

    public static void AssertPassed(SimulationResult result)
    {
        var problems = result.Violations.Select(v => $"{v.At.TotalSeconds:0.###}s {v.Invariant} {v.Subject}: {v.Detail}").ToList();
        Assert.True(result.Summary.Passed, "the run failed:\n" + string.Join("\n", problems.Take(20)));
    }

    public static string RepoRoot() => Orca.Tests.Shared.RepoPaths.RepoRoot();

    public static string TempDir() => Orca.Tests.Shared.RepoPaths.TempDir("orca-tests");

    /// <summary>Rows of placements.csv taken at the end of the run.</summary>
    public static List<string[]> FinalPlacements(string outDir) =>
        File.ReadAllLines(Path.Combine(outDir, "placements.csv")).Skip(1).Select(l => l.Split(',')).Where(f => f[1] == "end").ToList();
}
