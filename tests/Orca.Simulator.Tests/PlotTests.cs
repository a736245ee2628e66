using System.Diagnostics;
using System.Xml.Linq;
using Orca.Simulator.Charts;
using Orca.Simulator.Plots;
using Orca.Simulator.Scenarios;
using static Orca.Simulator.Tests.SimulationHarness;

namespace Orca.Simulator.Tests;

public class PlotTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>A known small run: 6 nodes in 2 racks, one spread service and one constrained one, one crash and its recovery.</summary>
    private static RunResults KnownRun()
    {
        var dir = TempDir();
        var result = Run("""
            0s,add-nodes,n,count=6 racks=2 cpu=4 memory=8Gi
            1s,create-service,web,replicas=6 cpu=500m memory=256Mi spread=node.labels.rack
            1s,create-service,db,replicas=2 cpu=1 memory=1Gi constraint=rack:UNIQUE
            1m,expect,web,running=6
            2m,crash-node,n0001,
            3m,expect,web,running=6
            4m,recover-node,n0001,
            5m,end,,
            """, outDir: dir);
        AssertPassed(result);
        return RunResults.Read(dir);
    }

    private static XDocument Parse(Chart chart) => XDocument.Parse(chart.ToSvg());

    private static int Count(XDocument svg, string element, string cls) =>
        svg.Descendants(Svg + element).Count(e => ((string?)e.Attribute("class") ?? "").Split(' ').Contains(cls));

    [Fact]
    public void EveryPlotIsValidSvgAndTheReportLinksThem()
    {
        var r = KnownRun();
        var charts = PlotSet.Draw(r);
        Assert.Equal(["placement-at-60s.svg", "placement-at-180s.svg", "placement-end.svg", "replicas.svg", "rack-balance.svg",
            "utilisation-at-60s.svg", "utilisation-at-180s.svg", "utilisation-end.svg", "latency.svg"], charts.Select(c => c.File));
        foreach (var (file, chart) in charts)
        {
            var svg = Parse(chart);
            Assert.Equal(Svg + "svg", svg.Root!.Name);
            Assert.Single(svg.Descendants(Svg + "text"), t => (string?)t.Attribute("class") == "title");
        }
        var report = PlotSet.WriteAll(r);
        var html = File.ReadAllText(report);
        foreach (var (file, _) in charts)
        {
            Assert.True(File.Exists(Path.Combine(r.Directory, file)), file);
            Assert.Contains($"<a href=\"{file}\">", html);
        }
        Assert.Equal(charts.Count, html.Split("<svg ").Length - 1);
    }

    [Fact]
    public void PlacementMapHasACellPerNodeAndCrossesOutTheDownNode()
    {
        var r = KnownRun();
        var atCrash = PlacementMapPlot.Draw(r, 180, r.Snapshots.First(s => s.At == 180).Label);
        var svg = Parse(atCrash);
        Assert.Equal(6, Count(svg, "rect", "cell"));
        Assert.Equal(2, Count(svg, "line", "down")); // one cross: n0001
        int segments = r.Placements.Where(p => p.At == 180).Select(p => (p.Node, p.Service)).Distinct().Count();
        Assert.Equal(segments, Count(svg, "rect", "task")); // one segment per service on each node
        Assert.DoesNotContain(r.Placements, p => p.At == 180 && p.Node == "n0001");
        Assert.Contains(atCrash.Canvas.Texts, t => t.Text == "node down");
        Assert.Contains(atCrash.Canvas.Texts, t => t.Text == "r1");
        Assert.Contains(atCrash.Canvas.Texts, t => t.Text == "r2");
    }

    [Fact]
    public void ReplicasHaveThreeSeriesPerServiceAndAMarkPerFaultWithItsConvergence()
    {
        var chart = ReplicasPlot.Draw(KnownRun());
        var svg = Parse(chart);
        Assert.Equal(6, Count(svg, "polyline", "series"));
        Assert.Equal(2, Count(svg, "line", "mark"));
        var labels = chart.Canvas.Texts.Where(t => t.Class == "mark-label").Select(t => t.Text).ToList();
        Assert.Equal(2, labels.Count);
        Assert.StartsWith("crash n0001 → whole after ", labels[0]);
        Assert.Equal("recover n0001", labels[1]);
        Assert.Equal(["db", "web"], chart.Canvas.Texts.Where(t => t.Class == "panel-title").Select(t => t.Text));
    }

    [Fact]
    public void RackBalanceHasABarPerRackAndServiceAndTheSpreadBound()
    {
        var chart = RackBalancePlot.Draw(KnownRun());
        var svg = Parse(chart);
        Assert.Equal(4, Count(svg, "rect", "bar"));      // 2 racks x 2 services
        Assert.Equal(1, Count(svg, "line", "bound"));    // web is spread over racks
        Assert.Contains(chart.Canvas.Texts, t => t.Text == "web bound ≤ 3");
    }

    [Fact]
    public void UtilisationHasTwoBoxesPerRackAndLatencyThreePercentiles()
    {
        var r = KnownRun();
        var end = r.Snapshots.Last();
        Assert.Equal(4, Count(Parse(UtilisationPlot.Draw(r, end.At, end.Label)), "rect", "box"));
        var latency = Parse(LatencyPlot.Draw(r));
        Assert.Equal(3, new[] { "p50", "p90", "p99" }.Count(p => Count(latency, "polyline", p) > 0));
    }

    public static TheoryData<string> Shipped() => new("quickstart.csv", "rack-failure.csv", "crash-storm.csv", "maintenance-walk.csv",
        "regressions/reboot-between-heartbeats.csv");

    /// <summary>No two texts of any plot overlap, and every text stays on the canvas, for the shipped scenarios.</summary>
    [Theory]
    [MemberData(nameof(Shipped))]
    public void NoTextOverlapsOnAnyPlot(string scenario)
    {
        var dir = TempDir();
        Simulation.Run(ScenarioParser.ParseFile(Path.Combine(RepoRoot(), "scenarios", scenario)), new SimulationOptions { OutputDirectory = dir });
        foreach (var (file, chart) in PlotSet.Draw(RunResults.Read(dir)))
        {
            var texts = chart.Canvas.Texts;
            foreach (var t in texts) Assert.True(t.Box.Inside(chart.Canvas.Bounds), $"{file}: '{t.Text}' leaves the canvas");
            for (int i = 0; i < texts.Count; i++)
                for (int j = i + 1; j < texts.Count; j++)
                    Assert.False(texts[i].Box.Overlaps(texts[j].Box), $"{file}: '{texts[i].Text}' overlaps '{texts[j].Text}'");
        }
    }

    [Fact]
    public void ARunThatEndsWithNoTaskStillGetsItsPlotsAndReport()
    {
        var dir = TempDir();
        Run("0s,add-nodes,n,count=2\n1s,create-service,web,replicas=0\n1m,end,,\n", outDir: dir);
        var report = PlotSet.WriteAll(RunResults.Read(dir));
        Assert.True(File.Exists(report));
        Assert.True(File.Exists(Path.Combine(dir, "rack-balance.svg")));
    }

    [Fact]
    public void NiceTicksAreRound()
    {
        Assert.Equal([0, 50, 100, 150, 200, 250], NiceScale.Linear(0, 210, 0, 100).Ticks());
        Assert.Equal([0, 300, 600, 900, 1200], NiceScale.Time(1200, 0, 100).Ticks());
        Assert.Equal([0.1, 1, 10, 100, 1000], NiceScale.Log(0.5, 600, 0, 100).Ticks());
        Assert.Equal([1, 2, 5, 10], NiceScale.Log(3, 9, 0, 100).Ticks());
        Assert.Equal("1h30m", NiceScale.Duration(5400));
    }

    [Fact]
    public void TryTextRefusesOverlapsAndTheCanvas()
    {
        var canvas = new SvgCanvas(200, 50);
        Assert.True(canvas.TryText(10, 20, "first label", 10));
        Assert.False(canvas.TryText(20, 22, "second", 10));
        Assert.False(canvas.TryText(190, 20, "off the edge", 10));
        Assert.True(canvas.TryText(10, 40, "below", 10));
        Assert.Equal(["first label", "below"], canvas.Texts.Select(t => t.Text));
    }
}
