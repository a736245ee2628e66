using System.Globalization;
using Orca.Grains.Model;

namespace Orca.Simulator.Charts;

/// <summary>Maps data to pixels, with "nice" ticks (1, 2, 2.5, 5 × 10ⁿ; or round durations for time axes).</summary>
public sealed class NiceScale
{
    private NiceScale(double min, double max, double step, double pixelFrom, double pixelTo)
    {
        Min = min;
        Max = max;
        Step = step;
        PixelFrom = pixelFrom;
        PixelTo = pixelTo;
    }

    public double Min { get; }
    public double Max { get; }
    public double Step { get; }
    public double PixelFrom { get; }
    public double PixelTo { get; }

    private bool _log;

    public double Map(double v)
    {
        if (_log)
        {
            double lv = Math.Log10(Math.Clamp(v, Min, Max));
            return PixelFrom + (lv - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min)) * (PixelTo - PixelFrom);
        }
        return Max == Min ? PixelFrom : PixelFrom + (v - Min) / (Max - Min) * (PixelTo - PixelFrom);
    }

    public IEnumerable<double> Ticks()
    {
        if (_log)
        {
            // Decades; with two decades or fewer, also 2 and 5 times each, so a narrow range still has labels.
            bool fine = Max / Min <= 100.0001;
            for (double t = Min; t <= Max * 1.0001; t *= 10)
            {
                yield return t;
                if (!fine) continue;
                if (t * 2 < Max) yield return t * 2;
                if (t * 5 < Max) yield return t * 5;
            }
            yield break;
        }
        for (int i = 0; ; i++)
        {
            double t = Min + i * Step;
            if (t > Max + Step * 1e-9) yield break;
            yield return Math.Round(t, 9);
        }
    }

    /// <summary>A linear scale from 0 (or <paramref name="dataMin"/> if negative) that covers <paramref name="dataMax"/>
    /// with about <paramref name="maxTicks"/> ticks.</summary>
    public static NiceScale Linear(double dataMin, double dataMax, double pixelFrom, double pixelTo, int maxTicks = 6)
    {
        if (dataMax <= dataMin) dataMax = dataMin + 1;
        double raw = (dataMax - dataMin) / Math.Max(1, maxTicks - 1);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * mag).First(s => s >= raw);
        double min = Math.Floor(dataMin / step) * step;
        double max = Math.Ceiling(dataMax / step) * step;
        return new NiceScale(min, max, step, pixelFrom, pixelTo);
    }

    /// <summary>A logarithmic scale over whole decades covering [<paramref name="dataMin"/>, <paramref name="dataMax"/>] (both above 0).</summary>
    public static NiceScale Log(double dataMin, double dataMax, double pixelFrom, double pixelTo)
    {
        double min = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(dataMin, 1e-3))));
        double max = Math.Pow(10, Math.Ceiling(Math.Log10(Math.Max(dataMax, min * 10))));
        if (max <= min) max = min * 10;
        return new NiceScale(min, max, 10, pixelFrom, pixelTo) { _log = true };
    }

    private static readonly double[] TimeSteps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

    /// <summary>A time axis in seconds from 0, with round durations as steps (10s, 5m, 1h, …).</summary>
    public static NiceScale Time(double seconds, double pixelFrom, double pixelTo, int maxTicks = 8)
    {
        if (seconds <= 0) seconds = 1;
        double step = TimeSteps.FirstOrDefault(s => seconds / s <= maxTicks - 1, TimeSteps[^1]);
        return new NiceScale(0, Math.Ceiling(seconds / step) * step, step, pixelFrom, pixelTo);
    }

    public static string Number(double v) =>
        Math.Abs(v) >= 10_000 ? (v / 1000).ToString("0.#", CultureInfo.InvariantCulture) + "k"
        : v.ToString(Math.Abs(v) < 10 && v != Math.Floor(v) ? "0.##" : "0", CultureInfo.InvariantCulture);

    public static string Duration(double seconds) => QuantityFormat.Duration(TimeSpan.FromSeconds(Math.Round(seconds, 3)));
}
