namespace Orca.Simulator.Charts;

public enum Swatch { Box, Line, Dashed, Dotted, Cross, Dot }

public sealed record LegendItem(string Label, string Colour, Swatch Swatch = Swatch.Box);

/// <summary>
/// One chart: a canvas with a title, a plot area, axes with ticks and grid lines, and a legend in the right
/// margin. Tick and category labels that would collide are left out rather than drawn over each other.
/// Counts what plots draw (series, marks) so tests can check the structure.
/// </summary>
public sealed class Chart
{
    public const double TitleSize = 15, LabelSize = 11, TickSize = 10;

    public Chart(double width, double height, string title, string? subtitle, double legendWidth = 170, double left = 68, double bottom = 58)
    {
        Canvas = new SvgCanvas(width, height);
        double top = subtitle is null ? 40 : 56;
        Plot = new Box(left, top, width - left - legendWidth - 16, height - top - bottom);
        Canvas.Text(12, 22, TextMetrics.Fit(title, TitleSize, width - 24), TitleSize, cls: "title", bold: true);
        if (subtitle is not null) Canvas.Text(12, 40, TextMetrics.Fit(subtitle, LabelSize, width - 24), LabelSize, cls: "subtitle", fill: Palette.Muted);
    }

    public SvgCanvas Canvas { get; }
    public Box Plot { get; }
    public int Series { get; set; }
    public int Marks { get; set; }

    public void XAxis(NiceScale x, string label, Func<double, string> format)
    {
        foreach (var t in x.Ticks())
        {
            double px = x.Map(t);
            Canvas.Line(px, Plot.Y, px, Plot.Bottom, Palette.Grid, "grid");
            Canvas.Line(px, Plot.Bottom, px, Plot.Bottom + 4, Palette.Axis, "tick");
            Canvas.TryText(px, Plot.Bottom + 16, format(t), TickSize, Anchor.Middle, "tick-label");
        }
        Canvas.Line(Plot.X, Plot.Bottom, Plot.Right, Plot.Bottom, Palette.Axis, "axis");
        Canvas.Text(Plot.X + Plot.Width / 2, Plot.Bottom + 38, label, LabelSize, Anchor.Middle, "axis-label");
    }

    public void YAxis(NiceScale y, string label, Func<double, string> format) => YAxis(y, label, format, Plot);

    /// <summary>A y axis over a part of the plot area (a panel of small multiples).</summary>
    public void YAxis(NiceScale y, string? label, Func<double, string> format, Box panel)
    {
        foreach (var t in y.Ticks())
        {
            double py = y.Map(t);
            Canvas.Line(panel.X, py, panel.Right, py, Palette.Grid, "grid");
            Canvas.Line(panel.X - 4, py, panel.X, py, Palette.Axis, "tick");
            Canvas.TryText(panel.X - 7, py + 3.5, format(t), TickSize, Anchor.End, "tick-label");
        }
        Canvas.Line(panel.X, panel.Y, panel.X, panel.Bottom, Palette.Axis, "axis");
        if (label is not null) Canvas.Text(16, panel.Y + panel.Height / 2, label, LabelSize, Anchor.Middle, "axis-label", vertical: true);
    }

    /// <summary>Evenly spaced categories along x; returns each one's band (left, width). Labels that do not fit are
    /// turned upright, then thinned.</summary>
    public List<(double Left, double Width)> XBands(IReadOnlyList<string> categories, string label)
    {
        double band = Plot.Width / Math.Max(1, categories.Count);
        var bands = categories.Select((_, i) => (Plot.X + i * band, band)).ToList();
        bool upright = categories.Any(c => TextMetrics.Width(c, TickSize) > band - 2);
        for (int i = 0; i < categories.Count; i++)
        {
            double mid = bands[i].Item1 + band / 2;
            if (upright) Canvas.TryText(mid + 3.5, Plot.Bottom + 6, categories[i], TickSize, Anchor.End, "tick-label", vertical: true);
            else Canvas.TryText(mid, Plot.Bottom + 15, categories[i], TickSize, Anchor.Middle, "tick-label");
        }
        Canvas.Line(Plot.X, Plot.Bottom, Plot.Right, Plot.Bottom, Palette.Axis, "axis");
        double longest = upright ? categories.Select(c => TextMetrics.Width(c, TickSize)).DefaultIfEmpty(0).Max() : 0;
        Canvas.TryText(Plot.X + Plot.Width / 2, Math.Min(Canvas.Height - 6, Plot.Bottom + 36 + Math.Min(longest, 12)), label, LabelSize, Anchor.Middle, "axis-label");
        return bands;
    }

    /// <summary>The legend in the right margin, one item a row; items past the room left are summed up in one line.</summary>
    public void Legend(IReadOnlyList<LegendItem> items, string? note = null)
    {
        double x = Plot.Right + 16, y = Plot.Y + 4, width = Canvas.Width - x - 8;
        int room = (int)((Plot.Height - (note is null ? 0 : 40)) / 16);
        int shown = items.Count <= room ? items.Count : Math.Max(0, room - 1);
        for (int i = 0; i < shown; i++, y += 16)
        {
            var item = items[i];
            DrawSwatch(x, y, item);
            Canvas.Text(x + 22, y + 4, TextMetrics.Fit(item.Label, LabelSize, width - 24), LabelSize, cls: "legend");
        }
        if (shown < items.Count)
        {
            Canvas.Text(x, y + 4, TextMetrics.Fit($"+{items.Count - shown} more", LabelSize, width), LabelSize, cls: "legend", fill: Palette.Muted);
            y += 16;
        }
        if (note is null) return;
        foreach (var line in Wrap(note, LabelSize - 1, width))
        {
            y += 14;
            Canvas.Text(x, y, line, LabelSize - 1, cls: "legend-note", fill: Palette.Muted);
        }
    }

    private void DrawSwatch(double x, double y, LegendItem item)
    {
        switch (item.Swatch)
        {
            case Swatch.Box: Canvas.Rect(x, y - 5, 16, 9, item.Colour, "swatch"); break;
            case Swatch.Dot: Canvas.Circle(x + 8, y, 3, item.Colour, "swatch"); break;
            case Swatch.Cross:
                Canvas.Rect(x, y - 5, 16, 9, "#f4f4f4", "swatch", Palette.Axis);
                Canvas.Line(x, y - 5, x + 16, y + 4, item.Colour, "swatch", 1.4);
                Canvas.Line(x, y + 4, x + 16, y - 5, item.Colour, "swatch", 1.4);
                break;
            default:
                Canvas.Line(x, y, x + 16, y, item.Colour, "swatch", 2, item.Swatch switch { Swatch.Dashed => "5 3", Swatch.Dotted => "1.5 2.5", _ => null });
                break;
        }
    }

    public static IEnumerable<string> Wrap(string text, double size, double width)
    {
        var line = "";
        foreach (var word in text.Split(' '))
        {
            var next = line.Length == 0 ? word : line + " " + word;
            if (TextMetrics.Width(next, size) <= width || line.Length == 0) line = next;
            else
            {
                yield return line;
                line = word;
            }
        }
        if (line.Length > 0) yield return TextMetrics.Fit(line, size, width);
    }

    public string ToSvg() => Canvas.ToSvg();
}
