using ScottPlot;

namespace Orca.Simulator.Plots;

/// <summary>Colours that stay apart for colour-blind readers: Okabe and Ito's eight, then Paul Tol's muted set.
/// Line series also differ by dash pattern, so they are told apart without colour at all.</summary>
public static class Palette
{
    private static readonly Color[] Colours =
    [
        .. new[]
        {
            "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000", "#B8A100",
            "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#CC6677", "#882255", "#AA4499",
        }.Select(Color.FromHex),
    ];

    /// <summary>Reserved for marks, never given to a series: down nodes and faults (near black), recoveries (grey).</summary>
    public static readonly Color Other = Color.FromHex("#BBBBBB"), Down = Color.FromHex("#333333"), Recovery = Color.FromHex("#8A8A8A"),
        Faint = Color.FromHex("#C8C8C8"), Cell = Color.FromHex("#F4F4F4"), CellEdge = Color.FromHex("#D0D0D0"), Axis = Color.FromHex("#444444"),
        Muted = Color.FromHex("#777777");

    public static Color Colour(int index) => Colours[index % Colours.Length];

    public static int Count => Colours.Length;
}
