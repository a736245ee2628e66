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
        Assert.Equal("Placement at 3m (expect line 9)", svg.Root!.Elements().First(e => e.Name.LocalName == "title").Value);
        var png = Path.ChangeExtension(file, ".png");
        (code, stdout, stderr) = OrcaProcess.Run("plot", dir, "--plot", "placement", "--at", "3m", "--out", png);
        Assert.True(code == 0, stdout + stderr);
        AssertPng(png, 1100, SvgHeight(file));
    }

    /// <summary>A PNG file of the given size: its signature and its IHDR chunk's width and height.</summary>
    private static void AssertPng(string path, int width, int height)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
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
        Assert.StartsWith("Replicas over time: ", replicas.Root!.Elements().First(e => e.Name.LocalName == "title").Value);
        Assert.Contains(" vs ", replicas.Root!.Elements().First(e => e.Name.LocalName == "title").Value);
        Assert.True(File.Exists(Path.Combine(outDir, "compare-latency.svg")));
    }

    [Fact]
    public void PngIsWrittenBesideEverySvgWithNothingElseInstalled()
    {
        var dir = Results("quickstart.csv");
        var (code, stdout, stderr) = OrcaProcess.RunWithPath("/nonexistent", "plot", dir, "--png");
        Assert.True(code == 0, stdout + stderr);
        var svgs = Directory.GetFiles(dir, "*.svg");
        Assert.NotEmpty(svgs);
        foreach (var svg in svgs) AssertPng(Path.ChangeExtension(svg, ".png"), 1100, SvgHeight(svg));
        Assert.Contains("wrote ", stdout);
    }

    private static int SvgHeight(string svg) => int.Parse(XDocument.Load(svg).Root!.Attribute("height")!.Value.Replace("px", ""));

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
