using Orca.Simulator.Charts;
using Orca.Simulator.Results;

namespace Orca.Simulator.Plots;

/// <summary>
/// Plot 3: running tasks per rack per service at the end (grouped bars), for the services spread over racks first,
/// then the biggest; a dashed line in the service's colour marks its spread bound (the even share, rounded up).
/// </summary>
public static class RackBalancePlot
{
    public const int MaxServices = 6;

    public static Chart Draw(RunResults r)
    {
        var end = r.Snapshots.Count > 0 ? r.Snapshots[^1] : (At: r.Summary.VirtualSeconds, Label: "end");
        var running = r.Placements.Where(p => p.At == end.At && p.Label == end.Label && p.State == "running").ToList();
        var rackLabels = r.Nodes.Select(n => n.Rack).Distinct().OrderBy(x => x, NaturalOrder.Instance).ToList();
        var status = r.StatusAt(end.At);
        var liveRacks = r.Nodes.Where(n => status.GetValueOrDefault(n.Node) != "down").Select(n => n.Rack).Distinct().Count();
        var spreadOverRack = r.Summary.Services.Where(s => s.Spread.Any(x => x is "node.labels.rack" or "rack")).Select(s => s.Name).ToHashSet();
        var services = running.GroupBy(p => p.Service)
            .OrderByDescending(g => spreadOverRack.Contains(g.Key)).ThenByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(MaxServices).Select(g => g.Key).ToList();
        var counts = running.GroupBy(p => (p.Service, p.Rack)).ToDictionary(g => g.Key, g => g.Count());
        int top = counts.Values.DefaultIfEmpty(1).Max();
        var chart = new Chart(1100, 520, $"Tasks per rack at the end: {r.Summary.Scenario}",
            $"{services.Count} of {running.Select(p => p.Service).Distinct().Count()} services; dashed: spread bound (even share over {liveRacks} live racks, rounded up)");
        var y = NiceScale.Linear(0, top * 1.1, chart.Plot.Bottom, chart.Plot.Y);
        chart.YAxis(y, "running tasks", NiceScale.Number);
        var bands = chart.XBands(rackLabels, "rack");
        var legend = new List<LegendItem>();
        for (int s = 0; s < services.Count; s++)
        {
            var colour = Palette.Colour(s);
            for (int k = 0; k < rackLabels.Count; k++)
            {
                var (left, width) = bands[k];
                double barW = width * 0.8 / services.Count, x0 = left + width * 0.1 + s * barW;
                int n = counts.GetValueOrDefault((services[s], rackLabels[k]));
                chart.Canvas.Rect(x0, y.Map(n), Math.Max(0.5, barW - 0.5), y.Map(0) - y.Map(n), colour, "bar", title: $"{services[s]} in {rackLabels[k]}: {n}");
            }
            chart.Series++;
            legend.Add(new LegendItem(services[s], colour));
            if (!spreadOverRack.Contains(services[s]) || liveRacks == 0) continue;
            int total = running.Count(p => p.Service == services[s]);
            double bound = Math.Ceiling(total / (double)liveRacks);
            chart.Canvas.Line(chart.Plot.X, y.Map(bound), chart.Plot.Right, y.Map(bound), colour, "bound", 1.2, "6 3");
            chart.Marks++;
            legend.Add(new LegendItem($"{services[s]} bound ≤ {bound}", colour, Swatch.Dashed));
        }
        chart.Legend(legend);
        return chart;
    }
}
