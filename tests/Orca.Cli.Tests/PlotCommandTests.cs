using System.Xml.Linq;

namespace Orca.Cli.Tests;

/// <summary>`orca plot` on results folders, as a user runs it after `orca sim run`.</summary>
public class PlotCommandTests
{
    private static string Results(string scenario, ulong seed = 1)
    {
        var dir = OrcaProcess.TempDir();
        var (code, stdout, stderr) = OrcaProcess.Run("sim", "run", $"scenarios/{scenario}", "--seed", seed.ToString(), "--out", dir, "--quiet");
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains($"report: ", stdout);
        return dir;
    }

    [Fact]
    public void SimRunWritesTheFivePlotsAndTheReport()
    {
        var dir = Results("quickstart.csv");
        foreach (var prefix in new[] { "placement-", "replicas", "rack-balance", "utilisation-", "latency" })
            Assert.Contains(Directory.GetFiles(dir, "*.svg"), f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(dir, "report.html")));
    }

    [Fact]
    public void OnePlotAtOneTimeIntoOneFile()
    {
        var dir = Results("quickstart.csv");
        var file = Path.Combine(OrcaProcess.TempDir(), "map.svg");
        var (code, stdout, stderr) = OrcaProcess.Run("plot", dir, "--plot", "placement", "--at", "3m", "--out", file);
        Assert.True(code == 0, stdout + stderr);
        var svg = XDocument.Load(file);
        Assert.Contains(svg.Descendants().Where(e => e.Name.LocalName == "text"), t => t.Value == "Placement at 3m (expect line 9)");
    }

    [Fact]
    public void CompareOverlaysTwoSeeds()
    {
        var a = Results("rack-failure.csv", 1);
        var b = Results("rack-failure.csv", 2);
        var outDir = OrcaProcess.TempDir();
        var (code, stdout, stderr) = OrcaProcess.Run("plot", "--compare", a, b, "--out", outDir);
        Assert.True(code == 0, stdout + stderr);
        var replicas = XDocument.Load(Path.Combine(outDir, "compare-replicas.svg"));
        Assert.Equal(2, replicas.Descendants().Count(e => e.Name.LocalName == "polyline" && ((string?)e.Attribute("class") ?? "").Contains("running")));
        Assert.True(File.Exists(Path.Combine(outDir, "compare-latency.svg")));
    }

    [Fact]
    public void PngNeedsRsvgConvertAndSaysWhatToInstallWithoutIt()
    {
        var dir = Results("quickstart.csv");
        var (code, stdout, _) = OrcaProcess.Run("plot", dir, "--plot", "latency", "--png");
        Assert.Equal(0, code);
        Assert.True(new FileInfo(Path.Combine(dir, "latency.png")).Length > 1000, stdout);

        var (noTool, _, stderr) = OrcaProcess.RunWithPath("/nonexistent", "plot", dir, "--plot", "latency", "--png");
        Assert.Equal(2, noTool);
        Assert.Contains("apt-get install librsvg2-bin", stderr);
    }

    [Theory]
    [InlineData("--plot", "pie", "--plot pie: expected one of placement, replicas, rack-balance, utilisation, latency")]
    [InlineData("--at", "later", "--at later: expected a virtual time")]
    public void BadOptionsAreRejected(string option, string value, string message)
    {
        var dir = Results("quickstart.csv");
        var (code, _, stderr) = OrcaProcess.Run("plot", dir, option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void AFolderThatIsNotAResultsFolderIsAClearError()
    {
        var (code, _, stderr) = OrcaProcess.Run("plot", OrcaProcess.TempDir());
        Assert.Equal(2, code);
        Assert.Contains("is not a results folder of orca sim run: summary.json is missing", stderr);
    }
}
