using Orca.Simulator.Charts;
using Orca.Simulator.Results;

namespace Orca.Simulator.Plots;

/// <summary>
/// Plot 4: how allocated the nodes are, per rack, at one snapshot: a box per rack (quartiles, median line, whiskers
/// from the least to the most allocated node) for CPU and, beside it, memory. Down nodes are left out.
/// </summary>
public static class UtilisationPlot
{
    public static Chart Draw(RunResults r, double at, string label)
    {
        var placed = r.Placements.Where(p => p.At == at && p.Label == label).GroupBy(p => p.Node)
            .ToDictionary(g => g.Key, g => (Cpu: g.Sum(p => p.CpuMillis), Mem: g.Sum(p => p.MemoryBytes)));
        var status = r.StatusAt(at);
        var racks = r.Nodes.Where(n => status.GetValueOrDefault(n.Node) != "down").GroupBy(n => n.Rack)
            .OrderBy(g => g.Key, NaturalOrder.Instance).ToList();
        var chart = new Chart(1100, 520, $"Allocation per node at {NiceScale.Duration(at)} ({label})",
            $"{racks.Sum(g => g.Count())} nodes up; boxes: quartiles and median per rack, whiskers: least and most allocated node");
        var y = NiceScale.Linear(0, 100, chart.Plot.Bottom, chart.Plot.Y);
        chart.YAxis(y, "allocated (% of capacity)", v => $"{v:0}%");
        var bands = chart.XBands(racks.Select(g => g.Key).ToList(), "rack");
        for (int k = 0; k < racks.Count; k++)
        {
            var (left, width) = bands[k];
            var cpu = racks[k].Select(n => Percent(placed.GetValueOrDefault(n.Node).Cpu, n.CpuMillis)).Order().ToList();
            var mem = racks[k].Select(n => Percent(placed.GetValueOrDefault(n.Node).Mem, n.MemoryBytes)).Order().ToList();
            DrawBox(chart, y, left + width * 0.1, width * 0.38, cpu, Palette.Colour(0), $"{racks[k].Key} cpu");
            DrawBox(chart, y, left + width * 0.52, width * 0.38, mem, Palette.Colour(1), $"{racks[k].Key} memory");
        }
        chart.Series = 2;
        chart.Legend([new LegendItem("cpu", Palette.Colour(0)), new LegendItem("memory", Palette.Colour(1))]);
        return chart;
    }

    private static double Percent(long used, long capacity) => capacity <= 0 ? 0 : Math.Min(100, 100.0 * used / capacity);

    private static void DrawBox(Chart chart, NiceScale y, double x, double w, List<double> sorted, string colour, string title)
    {
        if (sorted.Count == 0) return;
        double q1 = Quantile(sorted, 0.25), med = Quantile(sorted, 0.5), q3 = Quantile(sorted, 0.75);
        double mid = x + w / 2;
        chart.Canvas.Line(mid, y.Map(sorted[0]), mid, y.Map(sorted[^1]), colour, "whisker", 1);
        chart.Canvas.Rect(x, y.Map(q3), w, Math.Max(1, y.Map(q1) - y.Map(q3)), colour, "box", colour,
            $"{title}: min {sorted[0]:0}%, q1 {q1:0}%, median {med:0}%, q3 {q3:0}%, max {sorted[^1]:0}% ({sorted.Count} nodes)", 0.55);
        chart.Canvas.Line(x, y.Map(med), x + w, y.Map(med), "#000000", "median", 1.4);
        chart.Marks++;
    }

    public static double Quantile(List<double> sorted, double q)
    {
        double pos = (sorted.Count - 1) * q;
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
