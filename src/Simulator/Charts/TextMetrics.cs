namespace Orca.Simulator.Charts;

/// <summary>
/// Estimated text widths per character class, on the generous side for DejaVu Sans (the first font the plots ask
/// for, and the widest of the usual ones): no font file is read, so the estimate errs wide.
/// </summary>
public static class TextMetrics
{
    public static double Width(string text, double size)
    {
        double em = 0;
        foreach (char c in text)
            em += c switch
            {
                'i' or 'l' or 'j' or '.' or ',' or ':' or ';' or '\'' or '|' or '!' or ' ' => 0.32,
                'f' or 't' or 'r' or '(' or ')' or '[' or ']' or '-' => 0.4,
                'm' or 'w' or 'M' or 'W' or '%' or '@' => 0.92,
                _ when char.IsUpper(c) => 0.74,
                _ when char.IsDigit(c) => 0.64,   // DejaVu Sans digits are 0.636 em
                _ => 0.62,
            };
        return em * size;
    }

    /// <summary>Text that fits <paramref name="maxWidth"/>, cut with an ellipsis if needed.</summary>
    public static string Fit(string text, double size, double maxWidth)
    {
        if (Width(text, size) <= maxWidth) return text;
        for (int n = text.Length - 1; n > 0; n--)
        {
            var cut = text[..n] + "…";
            if (Width(cut, size) <= maxWidth) return cut;
        }
        return "";
    }
}
