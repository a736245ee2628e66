namespace Orca.Simulator.Charts;

/// <summary>Colours that stay apart for colour-blind readers: Okabe and Ito's eight, then Paul Tol's muted set.
/// Line series also differ by dash pattern, so they are told apart without colour at all.</summary>
public static class Palette
{
    private static readonly string[] Colours =
    [
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000", "#B8A100",
        "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#CC6677", "#882255", "#AA4499",
    ];

    /// <summary>Reserved for marks, never given to a series: down nodes and faults (near black), recoveries (grey).</summary>
    public const string Other = "#BBBBBB", Down = "#333333", Recovery = "#8A8A8A", Grid = "#E6E6E6", Axis = "#444444", Muted = "#777777";

    public static string Colour(int index) => Colours[index % Colours.Length];

    public static int Count => Colours.Length;
}
