using System.Globalization;
using Orca.Grains.Model;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Orca.Simulator.Plots;

/// <summary>Axes the plots share: virtual time in a unit that keeps ticks round, categories (racks) whose labels are
/// turned upright and thinned until none collide, counts, and a log scale of seconds.</summary>
public static class PlotAxes
{
    /// <summary>The unit virtual time is plotted in: seconds up to 3 minutes, minutes up to 3 hours, then hours, so
    /// ScottPlot's 1-2-5 ticks fall on round times.</summary>
    public static double TimeUnit(double endSeconds) => endSeconds <= 180 ? 1 : endSeconds <= 3 * 3600 ? 60 : 3600;

    /// <summary>x from 0 to <paramref name="endSeconds"/>, ticks labelled as durations (90s, 5m, 1h30m); with no
    /// <paramref name="label"/>, tick labels are hidden (a panel above others).</summary>
    public static void Time(Plot plot, double endSeconds, string? label)
    {
        double unit = TimeUnit(endSeconds);
        plot.Axes.SetLimitsX(0, Math.Max(1, endSeconds) / unit);
        plot.Axes.Bottom.TickGenerator = new NumericAutomatic { LabelFormatter = v => Duration(v * unit) };
        plot.Axes.Bottom.TickLabelStyle.IsVisible = label is not null;
        plot.Axes.Bottom.Label.Text = label ?? "";
    }

    /// <summary>Categories at x = 0, 1, … n-1, as the bottom axis's ticks. A label wider than its band turns upright;
    /// upright labels are thinned to every k-th so that no two touch. Returns the labels shown.</summary>
    public static IReadOnlyList<string> Categories(Plot plot, IReadOnlyList<string> names, Area area, string label, float maxUpright = 48)
    {
        plot.Axes.SetLimitsX(-0.5, Math.Max(1, names.Count) - 0.5);
        float band = area.Width / Math.Max(1, names.Count);
        bool upright = names.Any(n => Figure.TextWidth(n, Figure.TickSize) > band - 4);
        int step = upright ? Math.Max(1, (int)Math.Ceiling((Figure.TickSize + 4) / band)) : 1;
        var shown = new List<string>();
        var positions = new List<double>();
        for (int i = 0; i < names.Count; i += step)
        {
            positions.Add(i);
            shown.Add(upright ? Figure.Fit(names[i], Figure.TickSize, maxUpright) : names[i]);
        }
        plot.Axes.Bottom.SetTicks([.. positions], [.. shown]);
        plot.Axes.Bottom.MajorTickStyle.Length = 3;
        if (upright)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -90;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            // ScottPlot sizes the axis for level labels: move the axis label below the upright ones.
            plot.Axes.Bottom.Label.OffsetY = shown.Select(n => Figure.TextWidth(n, Figure.TickSize)).DefaultIfEmpty(0).Max() - Figure.TickSize;
        }
        plot.Axes.Bottom.Label.Text = step > 1 ? $"{label} (every {Ordinal(step)} labelled)" : label;
        return shown;
    }

    /// <summary>y from 0 to a little above <paramref name="top"/>, with count ticks (1.5k past ten thousand).</summary>
    public static void Counts(Plot plot, double top, string? label, double headroom = 1.08)
    {
        plot.Axes.SetLimitsY(0, Math.Max(1, top * headroom));
        plot.Axes.Left.TickGenerator = new NumericAutomatic { LabelFormatter = Number, IntegerTicksOnly = true, TickDensity = 0.6 };
        plot.Axes.Left.Label.Text = label ?? "";
    }

    /// <summary>Round times for a log scale of seconds: 1-2-5 below a second, then the times a clock reads.</summary>
    private static readonly double[] LogTicks =
    [
        0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 18000,
        36000, 86400, 172800, 432000, 864000,
    ];

    /// <summary>y on a log scale of seconds: values are plotted as log10, ticks at round times (every one over a short
    /// range, powers of ten and their clock equivalents over a long one).</summary>
    public static void LogSeconds(Plot plot, double least, double most, string label)
    {
        double lo = Log(least) - 0.1, hi = Math.Log10(Math.Max(most, least * 2)) + 0.15;
        plot.Axes.SetLimitsY(lo, hi);
        var ticks = LogTicks.Where(t => Math.Log10(t) >= lo && Math.Log10(t) <= hi).ToList();
        if (ticks.Count > 8) ticks = ticks.Where(t => t is 0.001 or 0.01 or 0.1 or 1 or 10 or 60 or 600 or 3600 or 36000 or 86400 or 864000).ToList();
        plot.Axes.Left.SetTicks([.. ticks.Select(Math.Log10)], [.. ticks.Select(Seconds)]);
        plot.Axes.Left.Label.Text = label;
    }

    public static double Log(double seconds) => Math.Log10(Math.Max(seconds, 1e-3));

    public static string Seconds(double v) => v < 1 ? $"{v.ToString("0.###", CultureInfo.InvariantCulture)}s" : Duration(v);

    public static string Number(double v) =>
        Math.Abs(v) >= 10_000 ? (v / 1000).ToString("0.#", CultureInfo.InvariantCulture) + "k"
        : v.ToString(Math.Abs(v) < 10 && v != Math.Floor(v) ? "0.##" : "0", CultureInfo.InvariantCulture);

    public static string Duration(double seconds) => QuantityFormat.Duration(TimeSpan.FromSeconds(Math.Round(seconds, 3)));

    private static string Ordinal(int n) => n switch { 2 => "2nd", 3 => "3rd", _ => $"{n}th" };
}
