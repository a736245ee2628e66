using System.Globalization;

namespace Orca.Grains.Model;

/// <summary>Parses and prints the quantities users write: <c>250m</c> / <c>2</c> CPUs, <c>64Mi</c> / <c>1G</c> bytes,
/// <c>90s</c> / <c>1h30m</c> durations.</summary>
public static class QuantityFormat
{
    public static bool TryParseCpuMillis(string text, out long millis)
    {
        millis = 0;
        text = text.Trim();
        if (text.EndsWith('m'))
            return long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out millis) && millis >= 0;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cores) || cores < 0) return false;
        millis = (long)Math.Round(cores * 1000m);
        return true;
    }

    private static readonly (string Suffix, long Factor)[] ByteSuffixes =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40),
        ("K", 1000L), ("k", 1000L), ("M", 1000_000L), ("G", 1000_000_000L), ("T", 1000_000_000_000L), ("B", 1L),
    ];

    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        text = text.Trim();
        long factor = 1;
        foreach (var (suffix, f) in ByteSuffixes)
        {
            if (!text.EndsWith(suffix, StringComparison.Ordinal)) continue;
            factor = f;
            text = text[..^suffix.Length];
            break;
        }
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || n < 0) return false;
        bytes = (long)Math.Round(n * factor);
        return true;
    }

    /// <summary>Durations: <c>0</c>, <c>250ms</c>, <c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>, and combinations.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text.Trim();
        if (s.Length == 0) return false;
        if (s == "0") return true;
        long ticks = 0;
        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
            if (start == i) return false;
            if (!decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return false;
            int unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
            long unit = s[unitStart..i] switch
            {
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                "d" => TimeSpan.TicksPerDay,
                _ => 0,
            };
            if (unit == 0) return false;
            ticks += (long)Math.Round(n * unit);
        }
        duration = TimeSpan.FromTicks(ticks);
        return true;
    }

    public static string Cpu(long millis) => millis % 1000 == 0 ? (millis / 1000).ToString(CultureInfo.InvariantCulture) : $"{millis}m";

    public static string Bytes(long bytes)
    {
        foreach (var (suffix, f) in ByteSuffixes[..4].Reverse())
            if (bytes >= f && bytes % f == 0) return $"{bytes / f}{suffix}";
        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Virtual or elapsed time as seconds with millisecond precision, invariant culture.</summary>
    public static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan t)
    {
        if (t == TimeSpan.Zero) return "0s";
        var parts = new List<string>(4);
        if (t.Days > 0) parts.Add($"{t.Days}d");
        if (t.Hours > 0) parts.Add($"{t.Hours}h");
        if (t.Minutes > 0) parts.Add($"{t.Minutes}m");
        if (t.Seconds > 0 || t.Milliseconds > 0)
            parts.Add(t.Milliseconds > 0 ? $"{t.Seconds + t.Milliseconds / 1000.0:0.###}s".Replace(',', '.') : $"{t.Seconds}s");
        return string.Concat(parts);
    }
}
