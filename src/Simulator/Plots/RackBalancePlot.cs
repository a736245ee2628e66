using Orca.Simulator.Results;
using ScottPlot;

namespace Orca.Simulator.Plots;

/// <summary>
/// Plot 3: running tasks per rack per service at the end (grouped bars), for the services spread over racks first,
/// then the biggest; a dashed line in the service's colour marks its spread bound (the even share, rounded up).
/// </summary>
public static class RackBalancePlot
{
    public const int MaxServices = 6;

    public static Figure Draw(RunResults r)
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
        int top = counts.Where(c => services.Contains(c.Key.Service)).Select(c => c.Value).DefaultIfEmpty(1).Max(); // of the services drawn
        var figure = new Figure(1100, 520, $"Tasks per rack at the end: {r.Summary.Scenario}",
            $"{services.Count} of {running.Select(p => p.Service).Distinct().Count()} services; dashed: spread bound (even share over {liveRacks} live racks, rounded up)",
            bottom: 80);
        var plot = figure.Panel(figure.Area);
        PlotAxes.Counts(plot, top, "running tasks", 1.12);
        PlotAxes.Categories(plot, rackLabels, figure.Area, "rack");
        var keys = new List<Key>();
        for (int s = 0; s < services.Count; s++)
        {
            var colour = Palette.Colour(s);
            double group = Math.Min(0.8, 0.2 * services.Count), barW = group / services.Count;
            var bars = rackLabels.Select((rack, k) => new Bar
            {
                Position = k - group / 2 + (s + 0.5) * barW, Value = counts.GetValueOrDefault((services[s], rack)), Size = barW * 0.94,
                FillColor = colour, LineWidth = 0,
            }).ToList();
            plot.Add.Bars(bars);
            figure.Tally("bar", bars.Count);
            figure.Tally("series");
            keys.Add(new Key(services[s], colour));
            if (!spreadOverRack.Contains(services[s]) || liveRacks == 0) continue;
            int total = running.Count(p => p.Service == services[s]);
            double bound = Math.Ceiling(total / (double)liveRacks);
            Figure.Rule(plot, bound, vertical: false, 1.2f, colour, LinePattern.Dashed);
            figure.Tally("bound");
            keys.Add(new Key($"{services[s]} bound ≤ {bound}", colour, Swatch.Dashed));
        }
        figure.Legend(keys);
        return figure;
    }
}
