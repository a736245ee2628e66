namespace Orca.Simulator.Charts;

/// <summary>An axis-aligned rectangle in SVG user units (y grows downwards).</summary>
public readonly record struct Box(double X, double Y, double Width, double Height)
{
    public double Right => X + Width;
    public double Bottom => Y + Height;

    public bool Overlaps(Box other, double margin = 0) =>
        X < other.Right + margin && other.X < Right + margin && Y < other.Bottom + margin && other.Y < Bottom + margin;

    public bool Inside(Box outer) => X >= outer.X - 0.01 && Y >= outer.Y - 0.01 && Right <= outer.Right + 0.01 && Bottom <= outer.Bottom + 0.01;
}

/// <summary>A text the canvas drew, with the box it takes.</summary>
public sealed record TextItem(string Text, Box Box, string Class);
