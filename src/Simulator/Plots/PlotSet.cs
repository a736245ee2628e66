using System.Globalization;

namespace Orca.Simulator.Plots;

/// <summary>Every plot of a results folder, by file name (without extension). Placement maps and utilisation are
/// drawn for each snapshot time (each expect row's time, and the end).</summary>
public static class PlotSet
{
    public static readonly string[] Names = ["placement", "replicas", "rack-balance", "utilisation", "latency"];

    public static List<(string Name, Figure Figure)> Draw(RunResults r, string? only = null, double? at = null)
    {
        var snapshots = r.Snapshots.GroupBy(s => s.At).Select(g => g.Last()).ToList();
        if (at is { } wanted) snapshots = [snapshots.OrderBy(s => Math.Abs(s.At - wanted)).First()];
        static string Suffix(double time, string label) => label == "end" ? "end" : $"at-{time.ToString("0.###", CultureInfo.InvariantCulture)}s";
        bool Want(string name) => only is null || only == name;
        var figures = new List<(string, Figure)>();
        if (Want("placement")) figures.AddRange(snapshots.Select(s => ($"placement-{Suffix(s.At, s.Label)}", PlacementMapPlot.Draw(r, s.At, s.Label))));
        if (Want("replicas")) figures.Add(("replicas", ReplicasPlot.Draw(r)));
        if (Want("rack-balance")) figures.Add(("rack-balance", RackBalancePlot.Draw(r)));
        if (Want("utilisation")) figures.AddRange(snapshots.Select(s => ($"utilisation-{Suffix(s.At, s.Label)}", UtilisationPlot.Draw(r, s.At, s.Label))));
        if (Want("latency")) figures.Add(("latency", LatencyPlot.Draw(r)));
        return figures;
    }

    /// <summary>Writes a figure as NAME.svg (and NAME.png) in <paramref name="directory"/>; returns the paths written.</summary>
    public static List<string> Write(Figure figure, string directory, string name, bool png)
    {
        var svg = Path.Combine(directory, name + ".svg");
        File.WriteAllText(svg, figure.ToSvg());
        if (!png) return [svg];
        var pngPath = Path.Combine(directory, name + ".png");
        File.WriteAllBytes(pngPath, figure.ToPng());
        return [svg, pngPath];
    }

    /// <summary>Writes every plot and report.html into the results folder; returns the report's path.</summary>
    public static string WriteAll(RunResults r, bool png = false)
    {
        var figures = Draw(r);
        foreach (var (name, figure) in figures) Write(figure, r.Directory, name, png);
        return WriteReport(r, figures, r.Directory);
    }

    /// <summary>Writes report.html, showing the SVG files of <paramref name="figures"/> written beside it; returns its path.</summary>
    public static string WriteReport(RunResults r, IReadOnlyList<(string Name, Figure Figure)> figures, string directory)
    {
        var report = Path.Combine(directory, "report.html");
        File.WriteAllText(report, ReportPage.Render(r, figures.Select(f => (f.Name + ".svg", f.Figure.Title)).ToList()));
        return report;
    }
}
