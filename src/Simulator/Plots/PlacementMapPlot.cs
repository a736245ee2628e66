using Orca.Simulator.Results;
using ScottPlot;

namespace Orca.Simulator.Plots;

/// <summary>
/// Plot 1: where the tasks are. Racks are columns, nodes are cells, each cell a bar of its tasks coloured by service
/// (longer when the node holds more); down nodes are crossed out, suspect nodes outlined. Above
/// <see cref="MaxCells"/> nodes (or 80 in a rack) each rack becomes one stacked bar of its tasks per service.
/// </summary>
public static class PlacementMapPlot
{
    public const int MaxCells = 800, MaxRows = 80;
    private const float MaxCellHeight = 16;

    public static Figure Draw(RunResults r, double at, string label)
    {
        var placed = r.Placements.Where(p => p.At == at && p.Label == label).ToList();
        var status = r.StatusAt(at);
        var racks = r.Nodes.GroupBy(n => n.Rack).OrderBy(g => g.Key, NaturalOrder.Instance).ToList();
        var colours = new ServiceColours(placed.Select(p => (p.Service, 1L)), 10, byFamily: true);
        int down = status.Values.Count(s => s == "down");
        bool aggregate = r.Nodes.Count > MaxCells || racks.Max(g => g.Count()) > MaxRows;
        var how = aggregate
            ? $"per rack (more than {MaxCells} nodes): bar height = tasks in the rack, the number above = its nodes down"
            : "one cell per node, bar length = tasks on the node";
        // Cells are at most 16 pixels high: a small cluster gets a shorter figure, not taller cells.
        int height = aggregate ? 620 : (int)Math.Clamp(racks.Max(g => g.Count()) * MaxCellHeight + 150, 300, 620);
        var figure = new Figure(1100, height, $"Placement at {PlotAxes.Duration(at)} ({label})",
            $"{r.Nodes.Count} nodes in {racks.Count} racks, {placed.Count} tasks, {down} {(down == 1 ? "node" : "nodes")} down; {how}",
            left: 56, bottom: 80);
        var plot = figure.Panel(figure.Area);
        PlotAxes.Categories(plot, racks.Select(g => g.Key).ToList(), figure.Area, "rack");
        var byNode = placed.GroupBy(p => p.Node).ToDictionary(g => g.Key, g => g.GroupBy(p => colours.Group(p.Service)).ToDictionary(s => s.Key, s => s.Count()));
        if (aggregate) DrawRackBars(figure, plot, racks, byNode, status, colours);
        else DrawCells(figure, plot, racks, byNode, status, colours);
        var keys = colours.Legend();
        if (!aggregate) keys.Add(new Key("node down", Palette.Down, Swatch.Cross));
        figure.Legend(keys);
        return figure;
    }

    private static void DrawCells(Figure figure, Plot plot, List<IGrouping<string, NodeRow>> racks,
        Dictionary<string, Dictionary<string, int>> byNode, Dictionary<string, string> status, ServiceColours colours)
    {
        int rows = racks.Max(g => g.Count());
        // A row is at most 16 pixels high: few nodes a rack fill the top of the area, not all of it.
        double visibleRows = Math.Max(rows, figure.Area.Height / MaxCellHeight);
        plot.Axes.SetLimitsY(rows - visibleRows, rows);
        plot.Axes.Left.IsVisible = false;
        plot.HideGrid();
        double gap = 0.12;
        int maxTasks = Math.Max(1, byNode.Values.Select(d => d.Values.Sum()).DefaultIfEmpty(0).Max());
        for (int c = 0; c < racks.Count; c++)
        {
            double left = c - 0.4, width = 0.8;
            int row = 0;
            foreach (var node in racks[c].OrderBy(n => n.Node, NaturalOrder.Instance))
            {
                double top = rows - row++, bottom = top - 1 + gap;
                var st = status.GetValueOrDefault(node.Node, "ready");
                var cell = plot.Add.Rectangle(left, left + width, bottom, top);
                cell.FillColor = Palette.Cell;
                cell.LineColor = st == "suspect" ? Palette.Down : Palette.CellEdge;
                cell.LineWidth = st == "suspect" ? 1.5f : 0.8f;
                figure.Tally("cell");
                if (byNode.TryGetValue(node.Node, out var services))
                {
                    double x = left;
                    foreach (var (service, n) in services.OrderBy(s => colours.Rank(s.Key)).ThenBy(s => s.Key, StringComparer.Ordinal))
                    {
                        double w = width * n / maxTasks;
                        var task = plot.Add.Rectangle(x, x + w, bottom + 0.08, top - 0.08);
                        task.FillColor = colours.Of(service);
                        task.LineWidth = 0;
                        figure.Tally("task");
                        x += w;
                    }
                }
                if (st != "down") continue;
                foreach (var (y1, y2) in new[] { (bottom, top), (top, bottom) })
                {
                    var line = plot.Add.Line(left, y1, left + width, y2);
                    line.LineColor = Palette.Down;
                    line.LineWidth = 1.2f;
                }
                figure.Tally("down");
            }
        }
    }

    private static void DrawRackBars(Figure figure, Plot plot, List<IGrouping<string, NodeRow>> racks,
        Dictionary<string, Dictionary<string, int>> byNode, Dictionary<string, string> status, ServiceColours colours)
    {
        var groups = colours.Named.Append("").ToList();
        var perRack = racks.Select(g =>
        {
            var counts = new int[groups.Count];
            foreach (var n in g)
                if (byNode.TryGetValue(n.Node, out var s))
                    foreach (var (service, k) in s) counts[Math.Min(colours.Rank(service), groups.Count - 1)] += k;
            return (Counts: counts, Down: g.Count(n => status.GetValueOrDefault(n.Node) == "down"));
        }).ToList();
        int top = perRack.Select(p => p.Counts.Sum()).DefaultIfEmpty(0).Max();
        PlotAxes.Counts(plot, top, "tasks", 1.15);
        var bases = new double[perRack.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            var colour = groups[g] == "" ? Palette.Other : colours.Of(groups[g]);
            var bars = new List<Bar>();
            for (int c = 0; c < perRack.Count; c++)
            {
                int n = perRack[c].Counts[g];
                if (n == 0) continue;
                bars.Add(new Bar { Position = c, ValueBase = bases[c], Value = bases[c] + n, Size = 0.72, FillColor = colour, LineWidth = 0 });
                bases[c] += n;
            }
            if (bars.Count > 0) plot.Add.Bars(bars);
        }
        figure.Tally("rack-bar", perRack.Count);
        for (int c = 0; c < perRack.Count; c++)
            if (perRack[c].Down > 0)
                figure.Label(plot, c, bases[c], $"{perRack[c].Down} down", Figure.TickSize, Palette.Down, 0, -4, upright: true, alignment: Alignment.MiddleLeft);
    }
}
