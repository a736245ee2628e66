using System.Globalization;

namespace Orca.Simulator.Plots;

/// <summary>Every plot of a results folder, by file name. Placement maps and utilisation are drawn for each
/// snapshot time (each expect row's time, and the end).</summary>
public static class PlotSet
{
    public static readonly string[] Names = ["placement", "replicas", "rack-balance", "utilisation", "latency"];

    public static List<(string File, Charts.Chart Chart)> Draw(RunResults r, string? only = null, double? at = null)
    {
        var snapshots = r.Snapshots.GroupBy(s => s.At).Select(g => g.Last()).ToList();
        if (at is { } wanted) snapshots = [snapshots.OrderBy(s => Math.Abs(s.At - wanted)).First()];
        static string Suffix(double time, string label) => label == "end" ? "end" : $"at-{time.ToString("0.###", CultureInfo.InvariantCulture)}s";
        bool Want(string name) => only is null || only == name;
        var charts = new List<(string, Charts.Chart)>();
        if (Want("placement")) charts.AddRange(snapshots.Select(s => ($"placement-{Suffix(s.At, s.Label)}.svg", PlacementMapPlot.Draw(r, s.At, s.Label))));
        if (Want("replicas")) charts.Add(("replicas.svg", ReplicasPlot.Draw(r)));
        if (Want("rack-balance")) charts.Add(("rack-balance.svg", RackBalancePlot.Draw(r)));
        if (Want("utilisation")) charts.AddRange(snapshots.Select(s => ($"utilisation-{Suffix(s.At, s.Label)}.svg", UtilisationPlot.Draw(r, s.At, s.Label))));
        if (Want("latency")) charts.Add(("latency.svg", LatencyPlot.Draw(r)));
        return charts;
    }

    /// <summary>Writes every plot and report.html into the results folder; returns the report's path.</summary>
    public static string WriteAll(RunResults r)
    {
        var charts = Draw(r);
        foreach (var (file, chart) in charts) File.WriteAllText(Path.Combine(r.Directory, file), chart.ToSvg());
        var report = Path.Combine(r.Directory, "report.html");
        File.WriteAllText(report, ReportPage.Render(r, charts.Select(c => (c.File, c.Chart.ToSvg())).ToList()));
        return report;
    }
}
