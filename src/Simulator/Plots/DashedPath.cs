using ScottPlot;
using SkiaSharp;

namespace Orca.Simulator.Plots;

/// <summary>
/// Dashes and dots made of path segments rather than of a stroke effect. ScottPlot draws a line pattern with a Skia
/// path effect, which Skia's SVG writer cannot express (it writes such lines solid); a path of short segments looks
/// the same in PNG and SVG, so colour-blind readers tell series apart in both.
/// </summary>
public sealed class DashedPath(float on, float off) : IPathStrategy
{
    public static readonly DashedPath Dashed = new(6, 4), Dotted = new(1.5f, 3);

    public static IPathStrategy For(LinePattern pattern) =>
        pattern.Equals(LinePattern.Dashed) ? Dashed : pattern.Equals(LinePattern.Dotted) ? Dotted : new ScottPlot.PathStrategies.Straight();

    public SKPath GetPath(IEnumerable<Pixel> pixels)
    {
        var path = new SKPath();
        bool drawing = true;
        float left = on;
        Pixel? previous = null;
        foreach (var p in pixels)
        {
            if (previous is { } a)
            {
                float dx = p.X - a.X, dy = p.Y - a.Y, length = MathF.Sqrt(dx * dx + dy * dy), done = 0;
                while (length - done > 1e-3f)
                {
                    float step = Math.Min(left, length - done), t0 = done / length, t1 = (done + step) / length;
                    if (drawing)
                    {
                        path.MoveTo(a.X + dx * t0, a.Y + dy * t0);
                        path.LineTo(a.X + dx * t1, a.Y + dy * t1);
                    }
                    done += step;
                    left -= step;
                    if (left <= 1e-3f)
                    {
                        drawing = !drawing;
                        left = drawing ? on : off;
                    }
                }
            }
            previous = p;
        }
        return path;
    }
}
