using Orca.Simulator.Charts;
using Orca.Simulator.Results;

namespace Orca.Simulator.Plots;

/// <summary>
/// Plot 1: where the tasks are. Racks are columns, nodes are cells, each cell a bar of its tasks coloured by service
/// (longer when the node holds more); down nodes are crossed out, suspect nodes outlined. Above
/// <see cref="MaxCells"/> nodes each rack becomes one stacked bar of its tasks per service, as the legend says.
/// </summary>
public static class PlacementMapPlot
{
    public const int MaxCells = 800;

    public static Chart Draw(RunResults r, double at, string label)
    {
        var placed = r.Placements.Where(p => p.At == at && p.Label == label).ToList();
        var status = r.StatusAt(at);
        var racks = r.Nodes.GroupBy(n => n.Rack).OrderBy(g => g.Key, NaturalOrder.Instance).ToList();
        var colours = new ServiceColours(placed.Select(p => (p.Service, 1L)), 10, byFamily: true);
        int down = status.Values.Count(s => s == "down");
        bool aggregate = r.Nodes.Count > MaxCells || racks.Max(g => g.Count()) > 80;
        var chart = new Chart(1100, 620, $"Placement at {NiceScale.Duration(at)} ({label})",
            $"{r.Nodes.Count} nodes in {racks.Count} racks, {placed.Count} tasks, {down} {(down == 1 ? "node" : "nodes")} down", legendWidth: 190, left: 52);
        var bands = chart.XBands(racks.Select(g => g.Key).ToList(), "rack");
        var byNode = placed.GroupBy(p => p.Node).ToDictionary(g => g.Key, g => g.GroupBy(p => colours.Group(p.Service)).ToDictionary(s => s.Key, s => s.Count()));
        if (aggregate) DrawRackBars(chart, racks, bands, byNode, status, colours);
        else DrawCells(chart, racks, bands, byNode, status, colours);
        var legend = colours.Legend();
        if (!aggregate) legend.Add(new LegendItem("node down", Palette.Down, Swatch.Cross));
        chart.Legend(legend, aggregate
            ? $"Aggregated per rack: more than {MaxCells} nodes. Bar height = tasks in the rack; the number above a bar = its nodes down."
            : "One cell per node; bar length = tasks on the node.");
        return chart;
    }

    private static void DrawCells(Chart chart, List<IGrouping<string, NodeRow>> racks, List<(double Left, double Width)> bands,
        Dictionary<string, Dictionary<string, int>> byNode, Dictionary<string, string> status, ServiceColours colours)
    {
        var plot = chart.Plot;
        int rows = racks.Max(g => g.Count());
        double cellH = Math.Min(16, plot.Height / rows), gap = Math.Min(2, cellH * 0.15);
        int maxTasks = Math.Max(1, byNode.Values.Select(d => d.Values.Sum()).DefaultIfEmpty(0).Max());
        for (int c = 0; c < racks.Count; c++)
        {
            var (left, width) = bands[c];
            double cellW = Math.Max(2, width - Math.Min(6, width * 0.2));
            double x = left + (width - cellW) / 2;
            int row = 0;
            foreach (var node in racks[c].OrderBy(n => n.Node, NaturalOrder.Instance))
            {
                double y = plot.Y + row++ * cellH;
                var st = status.GetValueOrDefault(node.Node, "ready");
                chart.Canvas.Rect(x, y, cellW, cellH - gap, "#f4f4f4", "cell", st == "suspect" ? Palette.Down : "#d0d0d0", $"{node.Node} ({st})");
                chart.Marks++;
                if (byNode.TryGetValue(node.Node, out var services))
                {
                    double bx = x;
                    foreach (var (service, n) in services.OrderBy(s => colours.Named.Contains(s.Key) ? colours.Named.ToList().IndexOf(s.Key) : 999).ThenBy(s => s.Key, StringComparer.Ordinal))
                    {
                        double w = cellW * n / maxTasks;
                        chart.Canvas.Rect(bx, y + 1, w, cellH - gap - 2, colours.Of(service), "task", title: $"{node.Node}: {n} × {service}");
                        bx += w;
                    }
                }
                if (st == "down")
                {
                    chart.Canvas.Line(x, y, x + cellW, y + cellH - gap, Palette.Down, "down", 1.2);
                    chart.Canvas.Line(x, y + cellH - gap, x + cellW, y, Palette.Down, "down", 1.2);
                }
            }
        }
    }

    private static void DrawRackBars(Chart chart, List<IGrouping<string, NodeRow>> racks, List<(double Left, double Width)> bands,
        Dictionary<string, Dictionary<string, int>> byNode, Dictionary<string, string> status, ServiceColours colours)
    {
        var perRack = racks.Select(g =>
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var n in g)
                if (byNode.TryGetValue(n.Node, out var s))
                    foreach (var (service, k) in s) counts[colours.Named.Contains(service) ? service : ""] = counts.GetValueOrDefault(colours.Named.Contains(service) ? service : "") + k;
            return (Rack: g.Key, Counts: counts, Down: g.Count(n => status.GetValueOrDefault(n.Node) == "down"));
        }).ToList();
        var y = NiceScale.Linear(0, perRack.Max(p => p.Counts.Values.Sum()) * 1.08 + 1, chart.Plot.Bottom, chart.Plot.Y);
        for (int c = 0; c < perRack.Count; c++)
        {
            var (left, width) = bands[c];
            double w = width * 0.72, x = left + (width - w) / 2, base_ = 0;
            foreach (var service in colours.Named.Append(""))
            {
                if (!perRack[c].Counts.TryGetValue(service, out var n) || n == 0) continue;
                chart.Canvas.Rect(x, y.Map(base_ + n), w, y.Map(base_) - y.Map(base_ + n), service == "" ? Palette.Other : colours.Of(service), "bar",
                    title: $"{perRack[c].Rack}: {n} × {(service == "" ? "other services" : service)}");
                base_ += n;
            }
            chart.Marks++;
            if (perRack[c].Down > 0)
                chart.Canvas.TryText(left + width / 2 + 3.5, y.Map(base_) - 4, $"{perRack[c].Down} down", Chart.TickSize, Anchor.Start, "down-count", Palette.Down, vertical: true);
        }
        foreach (var t in y.Ticks()) chart.Canvas.TryText(chart.Plot.X - 5, y.Map(t) + 3.5, NiceScale.Number(t), Chart.TickSize, Anchor.End, "tick-label");
        chart.Canvas.Text(12, chart.Plot.Y + chart.Plot.Height / 2, "tasks", Chart.LabelSize, Anchor.Middle, "axis-label", vertical: true);
    }
}
