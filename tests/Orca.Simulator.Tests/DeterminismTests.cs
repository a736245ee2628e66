using Orca.Simulator.Scenarios;
using static Orca.Simulator.Tests.SimulationHarness;

namespace Orca.Simulator.Tests;

public class DeterminismTests
{
    private static readonly string[] ResultFiles = ["summary.json", "events.csv", "timeseries.csv", "placements.csv", "violations.csv"];

    private static string RunShipped(string name, ulong seed, bool serialize = false)
    {
        var dir = TempDir();
        var scenario = ScenarioParser.ParseFile(Path.Combine(RepoRoot(), "scenarios", name));
        var result = Simulation.Run(scenario, new SimulationOptions { Seed = seed, OutputDirectory = dir, SerializeMessages = serialize });
        AssertPassed(result);
        return dir;
    }

    [Fact]
    public void SameScenarioAndSeedGiveByteIdenticalResults()
    {
        var a = RunShipped("rack-failure.csv", 7);
        var b = RunShipped("rack-failure.csv", 7);
        foreach (var file in ResultFiles)
            Assert.True(File.ReadAllBytes(Path.Combine(a, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, file))), $"{file} differs");
    }

    [Fact]
    public void AnotherSeedGivesAnotherRun()
    {
        var a = RunShipped("rack-failure.csv", 1);
        var b = RunShipped("rack-failure.csv", 2);
        Assert.NotEqual(File.ReadAllText(Path.Combine(a, "events.csv")), File.ReadAllText(Path.Combine(b, "events.csv")));
    }

    [Fact]
    public void RoundTrippingEveryMessageThroughJsonChangesNothing()
    {
        var plain = RunShipped("quickstart.csv", 3);
        var serialized = RunShipped("quickstart.csv", 3, serialize: true);
        foreach (var file in ResultFiles)
            Assert.Equal(File.ReadAllText(Path.Combine(plain, file)), File.ReadAllText(Path.Combine(serialized, file)));
    }
}
