using Orca.Simulator.Charts;

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

    private sealed record Line(string Name, string Colour, List<(double T, int Running, int Desired, int Pending)> Points);

    public static Chart Draw(RunResults r) => Draw([(r, null)]);

    /// <summary>One run, or several overlaid in one panel (each summed over its services, told apart by colour).</summary>
    public static Chart Draw(IReadOnlyList<(RunResults Run, string? Name)> runs)
    {
        var first = runs[0].Run;
        var services = first.Series.Where(s => s.Scope == "service").Select(s => s.Name).Distinct().Order(StringComparer.Ordinal).ToList();
        bool perService = runs.Count == 1 && services.Count <= MaxServices && services.Count > 0;
        var panels = new List<List<Line>>();
        if (perService)
        {
            var rows = first.Series.Where(s => s.Scope == "service").ToList();
            panels.AddRange(services.Select((name, k) => new List<Line>
            {
                new(name, Palette.Colour(k), rows.Where(s => s.Name == name).Select(s => (s.At, s.Running, s.Desired, s.Pending)).ToList()),
            }));
        }
        else
        {
            panels.Add(runs.Select((run, i) => new Line(run.Name ?? $"all {services.Count} services", Palette.Colour(i),
                run.Run.Series.Where(s => s.Scope == "service").GroupBy(s => s.At).OrderBy(g => g.Key)
                    .Select(g => (g.Key, g.Sum(s => s.Running), g.Sum(s => s.Desired), g.Sum(s => s.Pending))).ToList())).ToList());
        }
        double end = runs.Max(x => x.Run.Summary.VirtualSeconds);
        var title = runs.Count == 1 ? $"Replicas over time: {first.Summary.Scenario} (seed {first.Summary.Seed})"
            : $"Replicas over time: {string.Join(" vs ", runs.Select(x => x.Name))}";
        double height = perService ? 140 + 110 * panels.Count : 560;
        var chart = new Chart(1100, height, title, "solid: running, dashed: desired, dotted: pending; dark marks: faults, grey: recoveries");
        var labelStrip = 44.0;
        var area = chart.Plot with { Y = chart.Plot.Y + labelStrip, Height = chart.Plot.Height - labelStrip };
        var x = NiceScale.Time(end, area.X, area.Right);
        chart.XAxis(x, "virtual time", NiceScale.Duration);
        DrawFaults(chart, first, x, area);
        double gap = 22, panelHeight = (area.Height - gap * (panels.Count - 1)) / panels.Count;
        var legend = new List<LegendItem>();
        for (int p = 0; p < panels.Count; p++)
        {
            var panel = area with { Y = area.Y + p * (panelHeight + gap), Height = panelHeight };
            double top = panels[p].SelectMany(l => l.Points).Select(q => (double)Math.Max(q.Running, Math.Max(q.Desired, q.Pending))).DefaultIfEmpty(1).Max();
            var y = NiceScale.Linear(0, Math.Max(1, top * 1.05), panel.Bottom, panel.Y, perService ? 4 : 6);
            chart.YAxis(y, perService ? null : "replicas", NiceScale.Number, panel);
            foreach (var line in panels[p])
            {
                chart.Canvas.Polyline(line.Points.Select(q => (x.Map(q.T), y.Map(q.Desired))), line.Colour, "series desired", 1.4, "6 4", $"{line.Name} desired");
                chart.Canvas.Polyline(line.Points.Select(q => (x.Map(q.T), y.Map(q.Pending))), line.Colour, "series pending", 1.4, "1.5 3", $"{line.Name} pending");
                chart.Canvas.Polyline(line.Points.Select(q => (x.Map(q.T), y.Map(q.Running))), line.Colour, "series running", 2, title: $"{line.Name} running");
                chart.Series += 3;
                legend.Add(new LegendItem(line.Name, line.Colour, Swatch.Line));
            }
            if (perService) chart.Canvas.TryText(panel.X + 6, panel.Y + 12, panels[p][0].Name, Chart.LabelSize, Anchor.Start, "panel-title", panels[p][0].Colour);
        }
        if (perService) chart.Canvas.Text(16, area.Y + area.Height / 2, "replicas", Chart.LabelSize, Anchor.Middle, "axis-label", vertical: true);
        legend.Add(new LegendItem("desired", Palette.Axis, Swatch.Dashed));
        legend.Add(new LegendItem("pending", Palette.Axis, Swatch.Dotted));
        legend.Add(new LegendItem("fault", Palette.Down, Swatch.Line));
        legend.Add(new LegendItem("recovery", Palette.Recovery, Swatch.Dashed));
        chart.Legend(legend, runs.Count == 1 && !perService ? $"Summed over {services.Count} services (more than {MaxServices})." : null);
        return chart;
    }

    /// <summary>A thin vertical line per fault over all panels; labels in up to three staggered rows in the strip above
    /// the panels, each drawn only where it overlaps nothing (every fault and its time to converge is in summary.json).</summary>
    private static void DrawFaults(Chart chart, RunResults r, NiceScale x, Box area)
    {
        var converged = r.Summary.Faults.GroupBy(f => (f.AtSeconds, f.Fault)).ToDictionary(g => g.Key, g => g.First());
        int labelled = 0;
        bool many = r.FaultMarks.Count > 40;
        var strip = new Box(area.X, chart.Plot.Y - 2, area.Width, area.Y - chart.Plot.Y);
        foreach (var mark in r.FaultMarks)
        {
            double px = x.Map(mark.At);
            bool recovery = mark.Fault.StartsWith("recover", StringComparison.Ordinal) || mark.Fault.StartsWith("heal", StringComparison.Ordinal)
                            || mark.Fault.StartsWith("activate", StringComparison.Ordinal);
            var colour = recovery ? Palette.Recovery : Palette.Down;
            chart.Canvas.Line(px, area.Y - 4, px, area.Bottom, many ? "#C8C8C8" : colour, "mark", many ? 0.6 : 1, recovery ? "4 3" : null);
            chart.Marks++;
            var text = mark.Fault;
            if (converged.TryGetValue((Math.Round(mark.At, 3), mark.Fault), out var f))
                text += f.ServicesAffected.Count == 0 ? "" : f.ConvergedAfterSeconds is { } c ? $" → whole after {NiceScale.Duration(Math.Round(c, 1))}" : " → never whole";
            for (int row = 0; row < 3; row++)
                if (chart.Canvas.TryText(px + 3, chart.Plot.Y + 10 + row * 13, text, Chart.TickSize, Anchor.Start, "mark-label", colour, within: strip))
                {
                    labelled++;
                    break;
                }
        }
        if (labelled < r.FaultMarks.Count)
            chart.Canvas.TryText(chart.Plot.X, chart.Canvas.Height - 4, $"{r.FaultMarks.Count - labelled} of {r.FaultMarks.Count} fault labels left out for room (all are in summary.json and events.csv)",
                Chart.TickSize, Anchor.Start, "mark-note", Palette.Muted);
    }
}
