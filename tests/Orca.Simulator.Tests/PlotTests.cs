using System.Xml.Linq;
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

    private static List<string> Texts(Figure f) => f.Texts.Select(t => t.Text).ToList();

    [Fact]
    public void EveryPlotIsAnSvgAndAPngAndTheReportShowsThem()
    {
        var r = KnownRun();
        var figures = PlotSet.Draw(r);
        Assert.Equal(["placement-at-60s", "placement-at-180s", "placement-end", "replicas", "rack-balance",
            "utilisation-at-60s", "utilisation-at-180s", "utilisation-end", "latency"], figures.Select(c => c.Name));
        foreach (var (name, figure) in figures)
        {
            var svg = XDocument.Parse(figure.ToSvg());
            Assert.Equal(Svg + "svg", svg.Root!.Name);
            Assert.Equal(figure.Title, svg.Root.Element(Svg + "title")?.Value);
            using var png = SkiaSharp.SKBitmap.Decode(figure.ToPng());
            Assert.True(png is { Width: 1100 }, name);
        }
        var report = PlotSet.WriteAll(r, png: true);
        var html = File.ReadAllText(report);
        foreach (var (name, _) in figures)
        {
            Assert.True(File.Exists(Path.Combine(r.Directory, name + ".svg")), name);
            Assert.True(File.Exists(Path.Combine(r.Directory, name + ".png")), name);
            Assert.Contains($"<img src=\"{name}.svg\"", html);
        }
        Assert.Equal(figures.Count, html.Split("<img ").Length - 1);
    }

    [Fact]
    public void SeriesAreDrawnInTheirPaletteColoursAndDashesSurviveInSvg()
    {
        var figure = ReplicasPlot.Draw(KnownRun());
        using var png = SkiaSharp.SKBitmap.Decode(figure.ToPng());
        var colours = new HashSet<SkiaSharp.SKColor>();
        for (int y = 0; y < png.Height; y++)
            for (int x = 0; x < png.Width; x++) colours.Add(png.GetPixel(x, y));
        Assert.Contains(new SkiaSharp.SKColor(0x00, 0x72, 0xB2), colours); // db, the first service: Okabe-Ito blue
        Assert.Contains(new SkiaSharp.SKColor(0xE6, 0x9F, 0x00), colours); // web: orange
        // Skia's SVG writer cannot express a stroke's dash effect (it would write the line solid), so dashes are paths.
        var svg = figure.ToSvg();
        Assert.DoesNotContain("stroke-dasharray", svg);
        using var path = DashedPath.Dashed.GetPath([new ScottPlot.Pixel(0, 0), new ScottPlot.Pixel(100, 0)]);
        Assert.Equal(20, path.PointCount); // ten dashes of 6 pixels, 4 apart
    }

    [Fact]
    public void PlacementMapHasACellPerNodeAndCrossesOutTheDownNode()
    {
        var r = KnownRun();
        var atCrash = PlacementMapPlot.Draw(r, 180, r.Snapshots.First(s => s.At == 180).Label);
        Assert.Equal(6, atCrash.Count("cell"));
        Assert.Equal(1, atCrash.Count("down")); // one cross: n0001
        int segments = r.Placements.Where(p => p.At == 180).Select(p => (p.Node, p.Service)).Distinct().Count();
        Assert.Equal(segments, atCrash.Count("task")); // one segment per service on each node
        Assert.DoesNotContain(r.Placements, p => p.At == 180 && p.Node == "n0001");
        Assert.Contains("node down", atCrash.Keys);
        atCrash.ToPng(); // ticks are laid out when drawn
        Assert.Equal(["r1", "r2"], atCrash.Plots[0].Axes.Bottom.TickGenerator.Ticks.Select(t => t.Label));
    }

    [Fact]
    public void ReplicasHaveThreeSeriesPerServiceAndAMarkPerFaultWithItsConvergence()
    {
        var figure = ReplicasPlot.Draw(KnownRun());
        Assert.Equal(6, figure.Count("series"));
        Assert.Equal(1, figure.Count("fault"));
        Assert.Equal(1, figure.Count("recovery"));
        var texts = Texts(figure);
        Assert.Contains(texts, t => t.StartsWith("crash n0001 → whole after ", StringComparison.Ordinal));
        Assert.Contains("recover n0001", texts);
        Assert.Contains("db", texts);
        Assert.Contains("web", texts);
        Assert.DoesNotContain(texts, t => t.Contains("left out", StringComparison.Ordinal));
    }

    [Fact]
    public void RackBalanceHasABarPerRackAndServiceAndTheSpreadBound()
    {
        var figure = RackBalancePlot.Draw(KnownRun());
        Assert.Equal(4, figure.Count("bar"));      // 2 racks x 2 services
        Assert.Equal(1, figure.Count("bound"));    // web is spread over racks
        Assert.Contains("web bound ≤ 3", figure.Keys);
    }

    [Fact]
    public void UtilisationHasTwoBoxesPerRackAndLatencyThreePercentiles()
    {
        var r = KnownRun();
        var end = r.Snapshots.Last();
        Assert.Equal(4, UtilisationPlot.Draw(r, end.At, end.Label).Count("box"));
        var latency = LatencyPlot.Draw(r);
        Assert.Equal(3, new[] { "p50", "p90", "p99" }.Count(p => latency.Count(p) > 0));
    }

    public static TheoryData<string> Shipped() => new("quickstart.csv", "rack-failure.csv", "crash-storm.csv", "maintenance-walk.csv",
        "silo-failover.csv", "regressions/reboot-between-heartbeats.csv");

    /// <summary>No two texts the figures place overlap, and every one stays on the canvas, for the shipped scenarios.</summary>
    [Theory]
    [MemberData(nameof(Shipped))]
    public void NoTextOverlapsOnAnyPlot(string scenario)
    {
        var dir = TempDir();
        Simulation.Run(ScenarioParser.ParseFile(Path.Combine(RepoRoot(), "scenarios", scenario)), new SimulationOptions { OutputDirectory = dir });
        foreach (var (name, figure) in PlotSet.Draw(RunResults.Read(dir)))
            AssertNoOverlap(name, figure);
    }

    private static void AssertNoOverlap(string name, Figure figure)
    {
        var texts = figure.Texts;
        var canvas = new Area(0, 0, figure.Width, figure.Height);
        foreach (var t in texts) Assert.True(t.Box.Inside(canvas), $"{name}: '{t.Text}' leaves the canvas");
        for (int i = 0; i < texts.Count; i++)
            for (int j = i + 1; j < texts.Count; j++)
                Assert.False(texts[i].Box.Overlaps(texts[j].Box), $"{name}: '{texts[i].Text}' overlaps '{texts[j].Text}'");
    }

    /// <summary>100,000 nodes in 1,000 racks: one bar per rack, rack labels upright and thinned so that none touch.</summary>
    [Fact]
    public void PlacementMapOfAHundredThousandNodesIsPerRack()
    {
        var small = KnownRun();
        var nodes = Enumerable.Range(0, 100_000).Select(i => new NodeRow($"n{i:D6}", $"rack{i / 100:D4}", 4000, 8L << 30)).ToList();
        var placements = nodes.Where((_, i) => i % 3 != 0)
            .Select((n, i) => new PlacementRow(60, "end", $"t{i}", $"svc{i % 40:D2}", n.Node, n.Rack, "running", 500, 256L << 20)).ToList();
        var down = nodes.Take(250).Select(n => new NodeTransition(30, n.Node, "down")).ToList();
        var r = new RunResults
        {
            Directory = TempDir(), Summary = small.Summary, Nodes = nodes, Series = [], Placements = placements, NodeTransitions = down,
            FaultMarks = [], SchedulingLatencies = [],
        };
        var map = PlacementMapPlot.Draw(r, 60, "end");
        Assert.Equal(0, map.Count("cell"));
        Assert.Equal(1000, map.Count("rack-bar"));
        using var png = SkiaSharp.SKBitmap.Decode(map.ToPng()); // ticks and pixels are laid out when drawn
        Assert.NotNull(png);
        var ticks = map.Plots[0].Axes.Bottom.TickGenerator.Ticks;
        Assert.InRange(ticks.Length, 20, 999);
        var px = ticks.Select(t => map.Plots[0].GetPixel(new ScottPlot.Coordinates(t.Position, 0)).X).ToList();
        Assert.All(px.Zip(px.Skip(1)), p => Assert.True(p.Second - p.First >= Figure.TickSize + 2, "upright rack labels touch"));
        Assert.Contains(Texts(map), t => t == "100 down");
        AssertNoOverlap("placement of 100k nodes", map);
    }

    [Fact]
    public void ARunThatEndsWithNoTaskStillGetsItsPlotsAndReport()
    {
        var dir = TempDir();
        Run("0s,add-nodes,n,count=2\n1s,create-service,web,replicas=0\n1m,end,,\n", outDir: dir);
        var report = PlotSet.WriteAll(RunResults.Read(dir), png: true);
        Assert.True(File.Exists(report));
        Assert.True(File.Exists(Path.Combine(dir, "rack-balance.svg")));
        Assert.True(File.Exists(Path.Combine(dir, "latency.png")));
    }

    [Fact]
    public void TicksAreRoundTimes()
    {
        var plot = new ScottPlot.Plot();
        PlotAxes.LogSeconds(plot, 0.5, 600, "t");
        plot.GetImage(400, 300);
        Assert.Equal(["1s", "10s", "1m", "10m"], plot.Axes.Left.TickGenerator.Ticks.Select(t => t.Label));
        PlotAxes.LogSeconds(plot, 3, 9, "t");
        plot.GetImage(400, 300);
        Assert.Equal(["5s", "10s"], plot.Axes.Left.TickGenerator.Ticks.Select(t => t.Label));
        Assert.Equal(60, PlotAxes.TimeUnit(1200));
        Assert.Equal("1h30m", PlotAxes.Duration(5400));
    }

    [Fact]
    public void ALabelThatWouldOverlapAnotherOrLeaveTheFigureIsLeftOut()
    {
        var figure = new Figure(300, 120, "title", null);
        figure.Label(10, 70, "first label", Figure.TickSize, ScottPlot.Colors.Black);
        figure.Label(20, 72, "second", Figure.TickSize, ScottPlot.Colors.Black);
        figure.Label(290, 90, "off the edge", Figure.TickSize, ScottPlot.Colors.Black);
        figure.Label(10, 100, "below", Figure.TickSize, ScottPlot.Colors.Black);
        Assert.Equal(["title", "first label", "below"], Texts(figure));
    }
}
