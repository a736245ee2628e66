using Orca.Simulator.Scenarios;

namespace Orca.Simulator.Tests;

/// <summary>Every shipped scenario passes its expect rows and every invariant on seeds 1–20, not only on the seed its
/// figures were taken with. The datacenter (5,000 nodes, 150,000 tasks) has a class of its own, so that xUnit runs it
/// beside the others.</summary>
public class ShippedScenarioSeedTests
{
    public static TheoryData<string, ulong> SmallScenarios()
    {
        var data = new TheoryData<string, ulong>();
        foreach (var file in Directory.GetFiles(Path.Combine(SimulationHarness.RepoRoot(), "scenarios"), "*.csv").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file) == "datacenter.csv") continue;
            for (ulong seed = 1; seed <= 20; seed++) data.Add(Path.GetFileName(file), seed);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SmallScenarios))]
    public void PassesOnEverySeed(string scenario, ulong seed) => RunShipped(scenario, seed);

    /// <summary>The counterexamples the properties found, kept as scenarios: each passes its expect rows.</summary>
    public static TheoryData<string> Regressions() =>
        new(Directory.GetFiles(Path.Combine(SimulationHarness.RepoRoot(), "scenarios", "regressions"), "*.csv")
            .Select(f => "regressions/" + Path.GetFileName(f)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Regressions))]
    public void RegressionPasses(string scenario) => RunShipped(scenario, 1);

    internal static void RunShipped(string scenario, ulong seed)
    {
        var path = Path.Combine(SimulationHarness.RepoRoot(), "scenarios", scenario);
        var result = Simulation.Run(ScenarioParser.ParseFile(path), new SimulationOptions { Seed = seed });
        SimulationHarness.AssertPassed(result);
    }
}

public class DatacenterSeedTests
{
    public static TheoryData<ulong> Seeds() => [.. Enumerable.Range(1, 20).Select(s => (ulong)s)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void PassesOnEverySeed(ulong seed) => ShippedScenarioSeedTests.RunShipped("datacenter.csv", seed);
}
