using ScottPlot;

namespace Orca.Simulator.Plots;

/// <summary>
/// Plot 2: running (solid), desired (dashed) and pending (dotted) replicas over time, one panel per service with
/// its own scale (or one panel summed over all services when there are many), with a vertical mark at every fault
/// (dark) and recovery (grey, dashed), labelled with the fault and, for faults that cost replicas, the time the
/// cluster took to be whole again.
/// </summary>
public static class ReplicasPlot
{
    public const int MaxServices = 6;
    private const float Strip = 44, Gap = 22;

    private sealed record Line(string Name, Color Colour, List<(double T, int Running, int Desired, int Pending)> Points);

    public static Figure Draw(RunResults r) => Draw([(r, null)]);

    /// <summary>One run, or several overlaid in one panel (each summed over its services, told apart by colour).</summary>
    public static Figure Draw(IReadOnlyList<(RunResults Run, string? Name)> runs)
    {
        var first = runs[0].Run;
        var services = first.Series.Where(s => s.Scope == "service").Select(s => s.Name).Distinct().Order(StringComparer.Ordinal).ToList();
        bool perService = runs.Count == 1 && services.Count <= MaxServices && services.Count > 0;
        var panels = perService ? PerService(first, services) : [Summed(runs, services.Count)];
        double end = runs.Max(x => x.Run.Summary.VirtualSeconds);
        var title = runs.Count == 1 ? $"Replicas over time: {first.Summary.Scenario} (seed {first.Summary.Seed})"
            : $"Replicas over time: {string.Join(" vs ", runs.Select(x => x.Name))}";
        var subtitle = "solid: running, dashed: desired, dotted: pending; dark marks: faults, grey: recoveries"
                       + (runs.Count == 1 && !perService ? $"; summed over {services.Count} services (more than {MaxServices})" : "");
        int height = perService ? 150 + 110 * panels.Count : 560;
        var figure = new Figure(1100, height, title, subtitle, left: 64);
        var area = figure.Area with { Y = figure.Area.Y + Strip, Height = figure.Area.Height - Strip };
        float panelHeight = (area.Height - Gap * (panels.Count - 1)) / panels.Count;
        var keys = new List<Key>();
        var plots = new List<Plot>();
        for (int p = 0; p < panels.Count; p++)
        {
            var panel = area with { Y = area.Y + p * (panelHeight + Gap), Height = panelHeight };
            var plot = figure.Panel(panel);
            plots.Add(plot);
            PlotAxes.Time(plot, end, p == panels.Count - 1 ? "virtual time" : null);
            double top = panels[p].SelectMany(l => l.Points).Select(q => (double)Math.Max(q.Running, Math.Max(q.Desired, q.Pending))).DefaultIfEmpty(1).Max();
            PlotAxes.Counts(plot, top, perService ? null : "replicas", 1.12);
            double unit = PlotAxes.TimeUnit(end);
            foreach (var line in panels[p])
            {
                double[] xs = [.. line.Points.Select(q => q.T / unit)];
                Series(plot, xs, [.. line.Points.Select(q => (double)q.Desired)], line.Colour, 1.4f, LinePattern.Dashed);
                Series(plot, xs, [.. line.Points.Select(q => (double)q.Pending)], line.Colour, 1.4f, LinePattern.Dotted);
                Series(plot, xs, [.. line.Points.Select(q => (double)q.Running)], line.Colour, 2, LinePattern.Solid);
                figure.Tally("series", 3);
                keys.Add(new Key(line.Name, line.Colour, Swatch.Line));
            }
            if (perService) figure.Label(plot, 0, plot.Axes.GetLimits().Top, panels[p][0].Name, Figure.LabelSize, panels[p][0].Colour, 0, -3, alignment: Alignment.LowerLeft);
        }
        if (perService) figure.Label(14, area.Y + area.Height / 2, "replicas", Figure.LabelSize, Colors.Black, upright: true, alignment: Alignment.MiddleCenter);
        Faults(figure, first, plots, area, PlotAxes.TimeUnit(end));
        keys.Add(new Key("desired", Palette.Axis, Swatch.Dashed));
        keys.Add(new Key("pending", Palette.Axis, Swatch.Dotted));
        keys.Add(new Key("fault", Palette.Down, Swatch.Line));
        keys.Add(new Key("recovery", Palette.Recovery, Swatch.Dashed));
        figure.Legend(keys);
        return figure;
    }

    private static List<List<Line>> PerService(RunResults run, List<string> services)
    {
        var rows = run.Series.Where(s => s.Scope == "service").ToList();
        return [.. services.Select((name, k) => new List<Line>
        {
            new(name, Palette.Colour(k), [.. rows.Where(s => s.Name == name).Select(s => (s.At, s.Running, s.Desired, s.Pending))]),
        })];
    }

    private static List<Line> Summed(IReadOnlyList<(RunResults Run, string? Name)> runs, int services) =>
        [.. runs.Select((run, i) => new Line(run.Name ?? $"all {services} services", Palette.Colour(i),
            [.. run.Run.Series.Where(s => s.Scope == "service").GroupBy(s => s.At).OrderBy(g => g.Key)
                .Select(g => (g.Key, g.Sum(s => s.Running), g.Sum(s => s.Desired), g.Sum(s => s.Pending)))]))];

    /// <summary>Counts change at instants and hold until the next sample: drawn as steps.</summary>
    private static void Series(Plot plot, double[] xs, double[] ys, Color colour, float width, LinePattern pattern)
    {
        if (xs.Length == 0) return;
        var line = plot.Add.ScatterLine(xs, ys, colour);
        line.ConnectStyle = ConnectStyle.StepHorizontal;
        line.LineWidth = width;
        line.PathStrategy = DashedPath.For(pattern);
    }

    /// <summary>A thin vertical line per fault over all panels; labels in up to three staggered rows in the strip above
    /// the panels, each drawn only where it overlaps nothing (every fault and its time to converge is in summary.json).</summary>
    private static void Faults(Figure figure, RunResults r, List<Plot> plots, Area area, double unit)
    {
        var converged = r.Summary.Faults.GroupBy(f => (f.AtSeconds, f.Fault)).ToDictionary(g => g.Key, g => g.First());
        bool many = r.FaultMarks.Count > 40;
        var strip = new Area(area.X, area.Y - Strip, area.Width + 4, Strip - 2);
        foreach (var mark in r.FaultMarks)
        {
            bool recovery = mark.Fault.StartsWith("recover", StringComparison.Ordinal) || mark.Fault.StartsWith("heal", StringComparison.Ordinal)
                            || mark.Fault.StartsWith("activate", StringComparison.Ordinal);
            var colour = recovery ? Palette.Recovery : Palette.Down;
            foreach (var plot in plots)
                Figure.Rule(plot, mark.At / unit, vertical: true, many ? 0.6f : 1, many ? Palette.Faint : colour, recovery ? LinePattern.Dashed : LinePattern.Solid);
            figure.Tally(recovery ? "recovery" : "fault");
            var text = mark.Fault;
            if (converged.TryGetValue((Math.Round(mark.At, 3), mark.Fault), out var f))
                text += f.ServicesAffected.Count == 0 ? "" : f.ConvergedAfterSeconds is { } c ? $" → whole after {PlotAxes.Duration(Math.Round(c, 1))}" : " → never whole";
            double top = plots[0].Axes.GetLimits().Top;
            figure.Label(plots[0], mark.At / unit, top, text, Figure.TickSize, colour, 3, [-Strip + 8, -Strip + 21, -Strip + 34], false, Alignment.MiddleLeft, strip, "fault");
        }
        int total = r.FaultMarks.Count;
        figure.Footnote("fault", n => $"{n} of {total} fault labels left out for room (all are in summary.json and events.csv)");
    }
}
