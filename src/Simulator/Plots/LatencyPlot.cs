using ScottPlot;

namespace Orca.Simulator.Plots;

/// <summary>
/// Plot 5: scheduling latency, from a task's creation (pending) to running, as the 50th, 90th and 99th percentiles of
/// the tasks created in each time bucket (log scale), and the slowest as dots. It includes image pulls and, after a
/// fault, time spent pending until capacity returned.
/// </summary>
public static class LatencyPlot
{
    public const int Buckets = 40;

    private readonly record struct Bucket(double T, double P50, double P90, double P99, double Max);

    public static Figure Draw(RunResults r) => Draw([(r, null)]);

    public static Figure Draw(IReadOnlyList<(RunResults Run, string? Name)> runs)
    {
        double end = runs.Max(x => x.Run.Summary.VirtualSeconds);
        double width = Math.Max(1, end / Buckets);
        var all = runs.Select(x => (x.Name, Buckets: x.Run.SchedulingLatencies.GroupBy(l => Math.Min(Buckets - 1, (int)(l.Created / width)))
            .OrderBy(g => g.Key).Select(g =>
            {
                var sorted = g.Select(l => l.Latency).Order().ToList();
                return new Bucket((g.Key + 0.5) * width, UtilisationPlot.Quantile(sorted, 0.5), UtilisationPlot.Quantile(sorted, 0.9),
                    UtilisationPlot.Quantile(sorted, 0.99), sorted[^1]);
            }).ToList())).ToList();
        double top = all.SelectMany(a => a.Buckets).Select(b => b.Max).DefaultIfEmpty(1).Max();
        double bottom = all.SelectMany(a => a.Buckets).Select(b => b.P50).Where(v => v > 0).DefaultIfEmpty(0.1).Min();
        int tasks = runs.Sum(x => x.Run.SchedulingLatencies.Count);
        var first = runs[0].Run;
        var figure = new Figure(1100, 520, runs.Count == 1 ? $"Scheduling latency: {first.Summary.Scenario}" : $"Scheduling latency: {string.Join(" vs ", runs.Select(x => x.Name))}",
            $"from pending to running (log scale), {tasks} tasks in {Buckets} buckets of {PlotAxes.Duration(Math.Round(width))} by creation time");
        var plot = figure.Panel(figure.Area);
        PlotAxes.Time(plot, end, "task created at (virtual time)");
        PlotAxes.LogSeconds(plot, bottom, top, "time to running");
        double unit = PlotAxes.TimeUnit(end);
        var keys = new List<Key>();
        for (int i = 0; i < all.Count; i++)
        {
            var (name, buckets) = all[i];
            string prefix = name is null ? "" : name + " ";
            var percentiles = new (string Label, Func<Bucket, double> Of, Color Colour, LinePattern Pattern, Swatch Swatch)[]
            {
                ("p50", b => b.P50, Palette.Colour(3 * i), LinePattern.Solid, Swatch.Line),
                ("p90", b => b.P90, Palette.Colour(3 * i + 1), LinePattern.Dashed, Swatch.Dashed),
                ("p99", b => b.P99, Palette.Colour(3 * i + 2), LinePattern.Dotted, Swatch.Dotted),
            };
            foreach (var (label, of, colour, pattern, swatch) in percentiles)
            {
                // Lines join neighbouring buckets only; a bucket with no task created in it breaks the line.
                foreach (var run in Runs(buckets, width))
                {
                    var line = plot.Add.Scatter(run.Select(b => b.T / unit).ToArray(), run.Select(b => PlotAxes.Log(of(b))).ToArray(), colour);
                    line.LineWidth = 1.8f;
                    line.PathStrategy = DashedPath.For(pattern);
                    line.MarkerSize = 5;
                }
                figure.Tally(label);
                figure.Tally("series");
                keys.Add(new Key($"{prefix}{label}", colour, swatch));
            }
            if (buckets.Count > 0)
                plot.Add.Markers(buckets.Select(b => b.T / unit).ToArray(), buckets.Select(b => PlotAxes.Log(b.Max)).ToArray(), MarkerShape.FilledCircle, 4, Palette.Axis);
        }
        keys.Add(new Key("slowest", Palette.Axis, Swatch.Dot));
        figure.Legend(keys);
        return figure;
    }

    private static IEnumerable<List<Bucket>> Runs(List<Bucket> buckets, double width)
    {
        var run = new List<Bucket>();
        double last = double.NaN;
        foreach (var b in buckets)
        {
            if (run.Count > 0 && b.T - last > width * 1.5)
            {
                yield return run;
                run = [];
            }
            run.Add(b);
            last = b.T;
        }
        if (run.Count > 0) yield return run;
    }
}
