using Orca.Simulator.Results;
using ScottPlot;

namespace Orca.Simulator.Plots;

/// <summary>
/// Plot 4: how allocated the nodes are, per rack, at one snapshot: a box per rack (quartiles, median line, whiskers
/// from the least to the most allocated node) for CPU and, beside it, memory. Down nodes are left out.
/// </summary>
public static class UtilisationPlot
{
    public static Figure Draw(RunResults r, double at, string label)
    {
        var placed = r.Placements.Where(p => p.At == at && p.Label == label).GroupBy(p => p.Node)
            .ToDictionary(g => g.Key, g => (Cpu: g.Sum(p => p.CpuMillis), Mem: g.Sum(p => p.MemoryBytes)));
        var status = r.StatusAt(at);
        var racks = r.Nodes.Where(n => status.GetValueOrDefault(n.Node) != "down").GroupBy(n => n.Rack)
            .OrderBy(g => g.Key, NaturalOrder.Instance).ToList();
        var figure = new Figure(1100, 520, $"Allocation per node at {PlotAxes.Duration(at)} ({label})",
            $"{racks.Sum(g => g.Count())} nodes up; boxes: quartiles and median per rack, whiskers: least and most allocated node", bottom: 80);
        var plot = figure.Panel(figure.Area);
        plot.Axes.SetLimitsY(0, 104);
        plot.Axes.Left.SetTicks([0, 20, 40, 60, 80, 100], ["0%", "20%", "40%", "60%", "80%", "100%"]);
        plot.Axes.Left.Label.Text = "allocated (% of capacity)";
        PlotAxes.Categories(plot, racks.Select(g => g.Key).ToList(), figure.Area, "rack");
        var boxes = new List<(Box Box, Color Colour)>();
        for (int k = 0; k < racks.Count; k++)
        {
            var cpu = racks[k].Select(n => Percent(placed.GetValueOrDefault(n.Node).Cpu, n.CpuMillis)).Order().ToList();
            var mem = racks[k].Select(n => Percent(placed.GetValueOrDefault(n.Node).Mem, n.MemoryBytes)).Order().ToList();
            if (Box(k - 0.2, cpu, Palette.Colour(0)) is { } c) boxes.Add((c, Palette.Colour(0)));
            if (Box(k + 0.2, mem, Palette.Colour(1)) is { } m) boxes.Add((m, Palette.Colour(1)));
        }
        foreach (var group in boxes.GroupBy(b => b.Colour))
        {
            var plotted = plot.Add.Boxes(group.Select(b => b.Box).ToList());
            plotted.FillColor = group.Key.WithAlpha(0.55);
            plotted.LineColor = group.Key;
        }
        figure.Tally("box", boxes.Count);
        figure.Tally("series", 2);
        figure.Legend([new Key("cpu", Palette.Colour(0)), new Key("memory", Palette.Colour(1))]);
        return figure;
    }

    private static double Percent(long used, long capacity) => capacity <= 0 ? 0 : Math.Min(100, 100.0 * used / capacity);

    private static Box? Box(double position, List<double> sorted, Color colour)
    {
        if (sorted.Count == 0) return null;
        return new Box
        {
            Position = position, Width = 0.36, BoxMin = Quantile(sorted, 0.25), BoxMax = Quantile(sorted, 0.75), BoxMiddle = Quantile(sorted, 0.5),
            WhiskerMin = sorted[0], WhiskerMax = sorted[^1], FillColor = colour.WithAlpha(0.55), LineColor = colour,
        };
    }

    public static double Quantile(List<double> sorted, double q)
    {
        double pos = (sorted.Count - 1) * q;
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
