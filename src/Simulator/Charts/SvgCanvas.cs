using System.Globalization;
using System.Security;
using System.Text;

namespace Orca.Simulator.Charts;

public enum Anchor { Start, Middle, End }

/// <summary>
/// Writes one SVG document. Every text it draws is recorded with its bounding box, so callers (and tests) can
/// check that no two texts overlap; <see cref="TryText"/> draws a label only where it overlaps nothing.
/// Elements carry a class (series, mark, bar, cell, …) so the structure of a chart can be counted.
/// </summary>
public sealed class SvgCanvas(double width, double height)
{
    private readonly StringBuilder _body = new();
    private readonly List<TextItem> _texts = [];

    public double Width { get; } = width;
    public double Height { get; } = height;
    public IReadOnlyList<TextItem> Texts => _texts;
    public Box Bounds => new(0, 0, Width, Height);

    public void Rect(double x, double y, double w, double h, string fill, string cls, string? stroke = null, string? title = null, double opacity = 1)
    {
        _body.Append(F($"<rect class=\"{cls}\" x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{Math.Max(0, w):0.##}\" height=\"{Math.Max(0, h):0.##}\" fill=\"{fill}\""));
        if (stroke is not null) _body.Append(F($" stroke=\"{stroke}\" stroke-width=\"0.6\""));
        if (opacity < 1) _body.Append(F($" fill-opacity=\"{opacity:0.##}\""));
        if (title is null) _body.Append("/>\n");
        else _body.Append("><title>").Append(SecurityElement.Escape(title)).Append("</title></rect>\n");
    }

    public void Line(double x1, double y1, double x2, double y2, string stroke, string cls, double width = 1, string? dash = null)
    {
        _body.Append(F($"<line class=\"{cls}\" x1=\"{x1:0.##}\" y1=\"{y1:0.##}\" x2=\"{x2:0.##}\" y2=\"{y2:0.##}\" stroke=\"{stroke}\" stroke-width=\"{width:0.##}\""));
        if (dash is not null) _body.Append($" stroke-dasharray=\"{dash}\"");
        _body.Append("/>\n");
    }

    public void Polyline(IEnumerable<(double X, double Y)> points, string stroke, string cls, double width = 1.6, string? dash = null, string? title = null)
    {
        _body.Append($"<polyline class=\"{cls}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width.ToString("0.##", CultureInfo.InvariantCulture)}\" stroke-linejoin=\"round\"");
        if (dash is not null) _body.Append($" stroke-dasharray=\"{dash}\"");
        _body.Append(" points=\"");
        foreach (var (x, y) in points) _body.Append(F($"{x:0.#},{y:0.#} "));
        if (title is null) _body.Append("\"/>\n");
        else _body.Append("\"><title>").Append(SecurityElement.Escape(title)).Append("</title></polyline>\n");
    }

    public void Circle(double cx, double cy, double r, string fill, string cls) =>
        _body.Append(F($"<circle class=\"{cls}\" cx=\"{cx:0.##}\" cy=\"{cy:0.##}\" r=\"{r:0.##}\" fill=\"{fill}\"/>\n"));

    /// <summary>Draws a text and records its box. <paramref name="vertical"/> turns it to read upwards, anchored at (x, y).</summary>
    public Box Text(double x, double y, string text, double size, Anchor anchor = Anchor.Start, string cls = "label",
        string fill = "#222", bool bold = false, bool vertical = false)
    {
        var box = Measure(x, y, text, size, anchor, vertical);
        _texts.Add(new TextItem(text, box, cls));
        var a = anchor switch { Anchor.Middle => "middle", Anchor.End => "end", _ => "start" };
        _body.Append(F($"<text class=\"{cls}\" x=\"{x:0.##}\" y=\"{y:0.##}\" font-size=\"{size:0.#}\" text-anchor=\"{a}\" fill=\"{fill}\""));
        if (bold) _body.Append(" font-weight=\"bold\"");
        if (vertical) _body.Append(F($" transform=\"rotate(-90 {x:0.##} {y:0.##})\""));
        _body.Append('>').Append(SecurityElement.Escape(text)).Append("</text>\n");
        return box;
    }

    /// <summary>Space kept between two labels drawn with <see cref="TryText"/>.</summary>
    public const double LabelMargin = 4;

    /// <summary>Draws the text only if its box stays inside <paramref name="within"/> (default: the canvas) and keeps
    /// <see cref="LabelMargin"/> from every text drawn before; says whether it did.</summary>
    public bool TryText(double x, double y, string text, double size, Anchor anchor = Anchor.Start, string cls = "label",
        string fill = "#222", bool vertical = false, Box? within = null)
    {
        var box = Measure(x, y, text, size, anchor, vertical);
        if (!box.Inside(within ?? Bounds) || _texts.Any(t => t.Box.Overlaps(box, LabelMargin))) return false;
        Text(x, y, text, size, anchor, cls, fill, vertical: vertical);
        return true;
    }

    public static Box Measure(double x, double y, string text, double size, Anchor anchor, bool vertical)
    {
        double w = TextMetrics.Width(text, size);
        double start = anchor switch { Anchor.Middle => -w / 2, Anchor.End => -w, _ => 0 };
        return vertical
            ? new Box(x - 0.8 * size, y - start - w, size, w)   // reads upwards: the text runs from y-start up
            : new Box(x + start, y - 0.8 * size, w, size);
    }

    public void Raw(string svg) => _body.Append(svg).Append('\n');

    public string ToSvg() =>
        F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width:0}\" height=\"{Height:0}\" viewBox=\"0 0 {Width:0} {Height:0}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n") +
        F($"<rect class=\"background\" x=\"0\" y=\"0\" width=\"{Width:0}\" height=\"{Height:0}\" fill=\"#ffffff\"/>\n") +
        _body + "</svg>\n";

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
