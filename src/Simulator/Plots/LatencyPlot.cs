using System.Runtime.CompilerServices;
using Orca.Simulator.Charts;

namespace Orca.Simulator.Plots;

/// <summary>
/// Plot 5: scheduling latency, from a task's creation (pending) to running, as the 50th, 90th and 99th percentiles of
/// the tasks created in each time bucket, and the slowest as dots. It includes image pulls and, after a fault,
/// time spent pending until capacity returned.
/// </summary>
public static class LatencyPlot
{
    public const int Buckets = 40;

    public static Chart Draw(RunResults r) => Draw([(r, null)]);

    public static Chart Draw(IReadOnlyList<(RunResults Run, string? Name)> runs)
    {
        double end = runs.Max(x => x.Run.Summary.VirtualSeconds);
        double width = Math.Max(1, end / Buckets);
        var all = runs.Select(x => (x.Name, Buckets: x.Run.SchedulingLatencies.GroupBy(l => Math.Min(Buckets - 1, (int)(l.Created / width)))
            .OrderBy(g => g.Key).Select(g =>
            {
                var sorted = g.Select(l => l.Latency).Order().ToList();
                return (T: (g.Key + 0.5) * width, P50: UtilisationPlot.Quantile(sorted, 0.5), P90: UtilisationPlot.Quantile(sorted, 0.9),
                    P99: UtilisationPlot.Quantile(sorted, 0.99), Max: sorted[^1], Count: sorted.Count);
            }).ToList())).ToList();
        double top = all.SelectMany(a => a.Buckets).Select(b => b.Max).DefaultIfEmpty(1).Max();
        double bottom = all.SelectMany(a => a.Buckets).Select(b => b.P50).Where(v => v > 0).DefaultIfEmpty(0.1).Min();
        int tasks = runs.Sum(x => x.Run.SchedulingLatencies.Count);
        var first = runs[0].Run;
        var chart = new Chart(1100, 520, runs.Count == 1 ? $"Scheduling latency: {first.Summary.Scenario}" : $"Scheduling latency: {string.Join(" vs ", runs.Select(x => x.Name))}",
            $"from pending to running (log scale), {tasks} tasks in {Buckets} buckets of {NiceScale.Duration(Math.Round(width))} by creation time");
        var x = NiceScale.Time(end, chart.Plot.X, chart.Plot.Right);
        var y = NiceScale.Log(bottom, top, chart.Plot.Bottom, chart.Plot.Y);
        chart.YAxis(y, "time to running", v => v < 1 ? $"{v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}s" : $"{v:0}s");
        chart.XAxis(x, "task created at (virtual time)", NiceScale.Duration);
        var legend = new List<LegendItem>();
        for (int i = 0; i < all.Count; i++)
        {
            var (name, buckets) = all[i];
            string prefix = name is null ? "" : name + " ";
            var percentiles = new (string Label, Func<(double T, double P50, double P90, double P99, double Max, int Count), double> Of, string Colour, string? Dash, Swatch Swatch)[]
            {
                ("p50", b => b.P50, Palette.Colour(3 * i), null, Swatch.Line),
                ("p90", b => b.P90, Palette.Colour(3 * i + 1), "6 3", Swatch.Dashed),
                ("p99", b => b.P99, Palette.Colour(3 * i + 2), "1.5 3", Swatch.Dotted),
            };
            foreach (var (label, of, colour, dash, swatch) in percentiles)
            {
                // Lines join neighbouring buckets only; a bucket with no task created in it breaks the line.
                foreach (var run in Runs(buckets, width))
                    chart.Canvas.Polyline(run.Select(b => (x.Map(b.T), y.Map(of(b)))), colour, $"series {label}", 1.8, dash, $"{prefix}{label}");
                foreach (var b in buckets) chart.Canvas.Circle(x.Map(b.T), y.Map(of(b)), 2.4, colour, $"point {label}");
                chart.Series++;
                legend.Add(new LegendItem($"{prefix}{label}", colour, swatch));
            }
            foreach (var b in buckets) chart.Canvas.Circle(x.Map(b.T), y.Map(b.Max), 2.2, Palette.Axis, "max");
        }
        legend.Add(new LegendItem("slowest", Palette.Axis, Swatch.Dot));
        chart.Legend(legend);
        return chart;
    }

    private static IEnumerable<List<T>> Runs<T>(List<T> buckets, double width) where T : struct, ITuple
    {
        var run = new List<T>();
        double last = double.NaN;
        foreach (var b in buckets)
        {
            double t = (double)b[0]!;
            if (run.Count > 0 && t - last > width * 1.5)
            {
                yield return run;
                run = [];
            }
            run.Add(b);
            last = t;
        }
        if (run.Count > 0) yield return run;
    }
}
