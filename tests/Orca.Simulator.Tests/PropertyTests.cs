using Orca.Simulator.Properties;
using Orca.Simulator.Scenarios;
using static Orca.Simulator.Tests.SimulationHarness;

namespace Orca.Simulator.Tests;

/// <summary>The ten invariants at a depth that keeps the suite quick; `orca check --runs 10000` runs them deep.</summary>
public class PropertyTests
{
    public static TheoryData<string> Properties() => new(PropertyCatalog.All.Select(p => p.Name));

    [Theory]
    [MemberData(nameof(Properties))]
    public void Holds(string name)
    {
        var property = PropertyCatalog.Find(name)!;
        var report = PropertyRunner.Run(property, new CheckOptions(property.RunsSimulator ? 40 : 300, 20261121, TempDir()));
        Assert.True(report.Passed, $"{name}: {report.Failure}\nshrunk to {report.Counterexample}\nreplay: {report.ReplayCommand}");
        Assert.Equal(property.RunsSimulator ? 40 : 300, report.Cases);
    }

    /// <summary>The machinery itself: with the cpu filter switched off, the property finds the over-commit, shrinks it
    /// to a tiny case, and the counterexample file replays the same bug in the simulator.</summary>
    [Fact]
    public void ABrokenSchedulerIsCaughtShrunkAndReplayed()
    {
        var dir = TempDir();
        var report = PropertyRunner.Run(PropertyCatalog.Find("no-overcommit")!,
            new CheckOptions(200, 7, dir) { DisabledFilters = ["cpu"] });

        Assert.False(report.Passed);
        Assert.Contains("holds", report.Failure);
        Assert.True(report.Shrinks > 0);
        var shrunk = report.Counterexample!;
        Assert.Single(shrunk.Nodes);
        Assert.Single(shrunk.Services);
        Assert.Empty(shrunk.Faults);
        Assert.Equal($"./orca sim run {report.CounterexamplePath}", report.ReplayCommand);

        var text = File.ReadAllText(report.CounterexamplePath!);
        Assert.Contains("# Counterexample to property 1 (no-overcommit)", text);
        Assert.Contains("0s,config,sim,disable-filter=cpu", text);
        var replay = Simulation.Run(ScenarioParser.ParseFile(report.CounterexamplePath!), new SimulationOptions());
        Assert.False(replay.Summary.Passed);
        Assert.Contains(replay.Violations, v => v.Invariant == "node-overcommit");
    }

    [Fact]
    public void TheSameSeedFindsTheSameCounterexample()
    {
        var a = PropertyRunner.Run(PropertyCatalog.Find("hard-constraints")!, new CheckOptions(200, 3, TempDir()) { DisabledFilters = ["constraint"] });
        var b = PropertyRunner.Run(PropertyCatalog.Find("hard-constraints")!, new CheckOptions(200, 3, TempDir()) { DisabledFilters = ["constraint"] });
        Assert.False(a.Passed);
        Assert.Equal(a.Counterexample!.ToString(), b.Counterexample!.ToString());
        Assert.Equal(File.ReadAllText(a.CounterexamplePath!), File.ReadAllText(b.CounterexamplePath!));
    }
}
