using ScottPlot;
using SkiaSharp;

namespace Orca.Simulator.Plots;

/// <summary>
/// One figure drawn by ScottPlot: a title and subtitle, panels (ScottPlot plots whose data areas are fixed pixel
/// rectangles sharing the left and right margins, so small multiples line up), a legend in the right margin, and
/// labels laid over the plots (fault names, counts) that are drawn only where they overlap nothing drawn before.
/// ScottPlot renders it through SkiaSharp as PNG or SVG; what the plots drew is tallied for tests.
/// </summary>
public sealed class Figure
{
    public const float TitleSize = 15, LabelSize = 11, TickSize = 10;

    private readonly Multiplot _multiplot = new();
    private readonly List<Overlay> _overlays = [];
    private readonly List<(string Text, LabelStyle Style, float X, float Y)> _header = [];
    private readonly Dictionary<string, int> _tally = new(StringComparer.Ordinal);
    private List<PlacedText>? _placed;

    private sealed record Overlay(Plot? Plot, Coordinates At, float Dx, float[] Dys, string Text, LabelStyle Style, Area? Within, string? Group);

    private readonly List<(string Group, Func<int, string> Text)> _footnotes = [];

    public Figure(int width, int height, string title, string? subtitle, int left = 70, int legendWidth = 190, int bottom = 48)
    {
        Width = width;
        Height = height;
        _multiplot.Layout = new FullFigure();
        _multiplot.RemovePlot(_multiplot.GetPlot(0));
        Top = subtitle is null ? 42 : 58;
        Area = new Area(left, Top, width - left - legendWidth - 16, height - Top - bottom);
        Header(title, TitleSize, true, Colors.Black, 12, 10);
        if (subtitle is not null) Header(subtitle, LabelSize, false, Palette.Muted, 12, 32);
    }

    public int Width { get; }
    public int Height { get; }
    public float Top { get; }

    /// <summary>Where the panels go, in figure pixels; the right margin beyond it holds the legend.</summary>
    public Area Area { get; }

    /// <summary>Every ScottPlot plot of the figure, in drawing order.</summary>
    public IReadOnlyList<Plot> Plots => _multiplot.GetPlots();

    /// <summary>How many of each kind of mark the plots drew ("cell", "series", "fault", …).</summary>
    public int Count(string kind) => _tally.GetValueOrDefault(kind);

    public void Tally(string kind, int n = 1) => _tally[kind] = Count(kind) + n;

    /// <summary>A panel: a ScottPlot plot whose data area is <paramref name="area"/> (figure pixels).</summary>
    public Plot Panel(Area area)
    {
        var plot = new Plot();
        plot.Font.Set(FontFamily);
        plot.Layout.Fixed(new PixelRect(area.X, area.Right, area.Bottom, area.Y));
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Bottom.Label.FontSize = LabelSize;
        plot.Axes.Left.Label.FontSize = LabelSize;
        plot.Axes.Bottom.Label.Bold = plot.Axes.Left.Label.Bold = false;
        plot.Grid.MajorLineColor = Color.FromHex("#E6E6E6");
        bool first = _multiplot.Count() == 0;
        _multiplot.AddPlot(plot);
        // Every subplot spans the figure: only the first paints the background (adding copies the first one's colour).
        if (!first) plot.FigureBackground.Color = Colors.Transparent;
        return plot;
    }

    /// <summary>The legend in the right margin, one key a row, drawn with ScottPlot plottables in pixel units (so
    /// dashes are paths, as in the plots); keys past the room left are summed up in one row.</summary>
    public void Legend(IReadOnlyList<Key> keys)
    {
        var area = new Area(Area.Right + 12, Area.Y, Width - Area.Right - 16, Area.Height);
        var plot = Panel(area);
        plot.Axes.Frameless();
        plot.HideGrid();
        plot.Axes.SetLimits(0, area.Width, -area.Height, 0);
        const float row = 19;
        int room = Math.Max(1, (int)(area.Height / row));
        int shown = keys.Count <= room ? keys.Count : room - 1;
        var rows = new List<string>();
        for (int i = 0; i < shown; i++)
        {
            double y = -(8 + row * i);
            Swatch(plot, keys[i], y);
            rows.Add(Fit(keys[i].Label, LabelSize, area.Width - 28));
            Text(plot, 24, y, rows[^1], Colors.Black);
        }
        if (shown < keys.Count)
        {
            rows.Add($"+{keys.Count - shown} more");
            Text(plot, 0, -(8 + row * shown), rows[^1], Palette.Muted);
        }
        Keys = rows;
    }

    private static void Text(Plot plot, double x, double y, string text, Color colour)
    {
        var label = plot.Add.Text(text, x, y);
        label.LabelFontSize = LabelSize;
        label.LabelFontColor = colour;
        label.LabelFontName = FontFamily;
        label.LabelAlignment = Alignment.MiddleLeft;
    }

    private static void Swatch(Plot plot, Key key, double y)
    {
        switch (key.Swatch)
        {
            case Orca.Simulator.Plots.Swatch.Box:
                var box = plot.Add.Rectangle(0, 18, y - 4.5, y + 4.5);
                box.FillColor = key.Colour;
                box.LineWidth = 0;
                break;
            case Orca.Simulator.Plots.Swatch.Dot:
                plot.Add.Marker(9, y, MarkerShape.FilledCircle, 6, key.Colour);
                break;
            case Orca.Simulator.Plots.Swatch.Cross:
                var cell = plot.Add.Rectangle(0, 18, y - 4.5, y + 4.5);
                cell.FillColor = Palette.Cell;
                cell.LineColor = Palette.CellEdge;
                foreach (var (y1, y2) in new[] { (y - 4.5, y + 4.5), (y + 4.5, y - 4.5) })
                {
                    var line = plot.Add.Line(0, y1, 18, y2);
                    line.LineColor = key.Colour;
                    line.LineWidth = 1.3f;
                }
                break;
            default:
                var stroke = plot.Add.ScatterLine(new double[] { 0, 18 }, new[] { y, y }, key.Colour);
                stroke.LineWidth = 2;
                stroke.PathStrategy = DashedPath.For(key.Swatch switch { Orca.Simulator.Plots.Swatch.Dashed => LinePattern.Dashed, Orca.Simulator.Plots.Swatch.Dotted => LinePattern.Dotted, _ => LinePattern.Solid });
                break;
        }
    }

    /// <summary>A line across the whole plot at x (vertical) or y (horizontal), solid, dashed or dotted. Call it after
    /// the plot's limits are set.</summary>
    public static void Rule(Plot plot, double at, bool vertical, float width, Color colour, LinePattern pattern)
    {
        var limits = plot.Axes.GetLimits();
        var line = vertical
            ? plot.Add.ScatterLine(new[] { at, at }, new[] { limits.Bottom, limits.Top }, colour)
            : plot.Add.ScatterLine(new[] { limits.Left, limits.Right }, new[] { at, at }, colour);
        line.LineWidth = width;
        line.PathStrategy = DashedPath.For(pattern);
    }

    /// <summary>The legend's rows as drawn.</summary>
    public IReadOnlyList<string> Keys { get; private set; } = [];

    /// <summary>A label at a data point of <paramref name="plot"/>, shifted by (dx, dy) pixels, drawn if it overlaps no
    /// label placed before it and stays inside <paramref name="within"/> (default: the figure).</summary>
    public void Label(Plot? plot, double x, double y, string text, float size, Color colour, float dx = 0, float dy = 0,
        bool upright = false, Alignment alignment = Alignment.MiddleLeft, Area? within = null) =>
        Label(plot, x, y, text, size, colour, dx, [dy], upright, alignment, within, null);

    /// <summary>A label tried at each vertical offset in turn, drawn at the first where it fits; labels of a
    /// <paramref name="group"/> that found no room are counted for its footnote.</summary>
    public void Label(Plot? plot, double x, double y, string text, float size, Color colour, float dx, float[] dys,
        bool upright, Alignment alignment, Area? within, string? group)
    {
        var style = new LabelStyle { Text = text, FontSize = size, ForeColor = colour, FontName = FontFamily, Alignment = alignment, Rotation = upright ? -90 : 0 };
        _overlays.Add(new Overlay(plot, new Coordinates(x, y), dx, dys, text, style, within, group));
        _placed = null;
    }

    /// <summary>A note at the foot of the figure, drawn when labels of <paramref name="group"/> were left out, given how many.</summary>
    public void Footnote(string group, Func<int, string> text) => _footnotes.Add((group, text));

    /// <summary>A label at a point of the figure (pixels), drawn if it overlaps no label placed before it.</summary>
    public void Label(float x, float y, string text, float size, Color colour, bool upright = false, Alignment alignment = Alignment.MiddleLeft) =>
        Label(null, x, y, text, size, colour, 0, 0, upright, alignment);

    /// <summary>The labels of the figure as drawn: header and overlays that found room, each with the box it takes.</summary>
    public IReadOnlyList<PlacedText> Texts
    {
        get
        {
            if (_placed is null) ToPng();
            return _placed!;
        }
    }

    public byte[] ToPng()
    {
        using var surface = SKSurface.Create(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        Render(surface.Canvas);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The figure as an SVG document; text is drawn as outlines, so the title is also given as the SVG's
    /// &lt;title&gt; for readers and search.</summary>
    public string ToSvg()
    {
        var stream = new MemoryStream();
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, Width, Height), stream)) Render(canvas);
        var xml = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        int open = xml.IndexOf("<svg", StringComparison.Ordinal), end = open < 0 ? -1 : xml.IndexOf('>', open);
        return end < 0 ? xml : xml.Insert(end + 1, $"<title>{System.Net.WebUtility.HtmlEncode(Title)}</title>");
    }

    public string Title => _header[0].Text;

    private void Render(SKCanvas canvas)
    {
        _multiplot.Render(canvas, new PixelRect(0, Width, Height, 0));
        using var paint = Paint.NewDisposablePaint();
        var placed = new List<PlacedText>();
        foreach (var (text, style, x, y) in _header)
        {
            style.Render(canvas, new Pixel(x, y), paint);
            placed.Add(new PlacedText(text, Measure(style, text, x, y, paint)));
        }
        var canvasArea = new Area(0, 0, Width, Height);
        var leftOut = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var o in _overlays)
        {
            var at = o.Plot is null ? new Pixel(o.At.X, o.At.Y) : o.Plot.GetPixel(o.At);
            bool drawn = false;
            foreach (var dy in o.Dys)
            {
                float x = at.X + o.Dx, y = at.Y + dy;
                var box = Measure(o.Style, o.Text, x, y, paint);
                if (!box.Inside(o.Within ?? canvasArea) || placed.Any(p => p.Box.Overlaps(box, 4))) continue;
                o.Style.Render(canvas, new Pixel(x, y), paint);
                placed.Add(new PlacedText(o.Text, box));
                drawn = true;
                break;
            }
            if (!drawn && o.Group is not null) leftOut[o.Group] = leftOut.GetValueOrDefault(o.Group) + 1;
        }
        foreach (var (group, text) in _footnotes)
        {
            if (!leftOut.TryGetValue(group, out var n)) continue;
            var style = new LabelStyle { Text = text(n), FontSize = TickSize, ForeColor = Palette.Muted, FontName = FontFamily, Alignment = Alignment.LowerLeft };
            style.Render(canvas, new Pixel(Area.X, Height - 4), paint);
            placed.Add(new PlacedText(style.Text, Measure(style, style.Text, Area.X, Height - 4, paint)));
        }
        _placed = placed;
    }

    /// <summary>The box a label takes when drawn at (x, y) with its alignment and rotation.</summary>
    private static Area Measure(LabelStyle style, string text, float x, float y, Paint paint)
    {
        var size = style.Measure(text, paint).Size;
        float w = size.Width, h = size.Height;
        bool upright = Math.Abs(style.Rotation) > 45;
        if (upright) (w, h) = (h, w);
        // Along the text: start, middle or end; across it: by the alignment's other half.
        float fx = style.Alignment switch
        {
            Alignment.UpperLeft or Alignment.MiddleLeft or Alignment.LowerLeft => 0,
            Alignment.UpperCenter or Alignment.MiddleCenter or Alignment.LowerCenter => 0.5f,
            _ => 1,
        };
        float fy = style.Alignment switch
        {
            Alignment.UpperLeft or Alignment.UpperCenter or Alignment.UpperRight => 0,
            Alignment.MiddleLeft or Alignment.MiddleCenter or Alignment.MiddleRight => 0.5f,
            _ => 1,
        };
        return upright ? new Area(x - fy * w, y - (1 - fx) * h, w, h) : new Area(x - fx * w, y - fy * h, w, h);
    }

    private void Header(string text, float size, bool bold, Color colour, float x, float y)
    {
        var style = new LabelStyle { FontSize = size, Bold = bold, ForeColor = colour, FontName = FontFamily, Alignment = Alignment.UpperLeft };
        text = Fit(text, size, Width - 2 * x, bold);
        style.Text = text;
        _header.Add((text, style, x, y));
    }

    /// <summary>The text, cut with an ellipsis until it is at most <paramref name="width"/> pixels wide.</summary>
    public static string Fit(string text, float size, float width, bool bold = false)
    {
        using var paint = Paint.NewDisposablePaint();
        var style = new LabelStyle { FontSize = size, Bold = bold, FontName = FontFamily };
        if (style.Measure(text, paint).Width <= width) return text;
        for (int n = text.Length - 1; n > 0; n--)
            if (style.Measure(text[..n] + "…", paint).Width <= width) return text[..n] + "…";
        return "";
    }

    public static float TextWidth(string text, float size)
    {
        using var paint = Paint.NewDisposablePaint();
        return new LabelStyle { FontSize = size, FontName = FontFamily }.Measure(text, paint).Width;
    }

    /// <summary>Whether the machine has any font: ScottPlot's text is drawn with the machine's fonts.</summary>
    public static bool HasFonts => SKFontManager.Default.FontFamilies.Any(f => !string.IsNullOrEmpty(f));

    /// <summary>A sans-serif family this machine has (ScottPlot falls back to its default font when none is found).</summary>
    public static readonly string FontFamily = new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial" }
        .FirstOrDefault(f => SKFontManager.Default.MatchFamily(f) is { } face && face.FamilyName == f) ?? Fonts.Default;

    /// <summary>Every subplot is given the whole figure; each one's data area is fixed inside it.</summary>
    private sealed class FullFigure : IMultiplotLayout
    {
        public PixelRect[] GetSubplotRectangles(SubplotCollection subplots, PixelRect figureRect) =>
            Enumerable.Repeat(figureRect, subplots.Count).ToArray();
    }
}

public enum Swatch { Box, Line, Dashed, Dotted, Cross, Dot }

/// <summary>One row of a legend.</summary>
public sealed record Key(string Label, Color Colour, Swatch Swatch = Swatch.Box);

/// <summary>A text the figure drew, with the box it takes.</summary>
public sealed record PlacedText(string Text, Area Box);

/// <summary>An axis-aligned rectangle in figure pixels (y grows downwards).</summary>
public readonly record struct Area(float X, float Y, float Width, float Height)
{
    public float Right => X + Width;
    public float Bottom => Y + Height;

    public bool Overlaps(Area other, float margin = 0) =>
        X < other.Right + margin && other.X < Right + margin && Y < other.Bottom + margin && other.Y < Bottom + margin;

    public bool Inside(Area outer) => X >= outer.X - 0.5 && Y >= outer.Y - 0.5 && Right <= outer.Right + 0.5 && Bottom <= outer.Bottom + 0.5;
}
