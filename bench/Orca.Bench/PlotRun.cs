using System.Diagnostics;
using Orca.Simulator.Plots;

namespace Orca.Bench;

/// <summary>The plot step of a results folder alone: reading the files back, drawing every plot and writing its SVG,
/// and its PNG, each timed apart (best of three, after one warm-up round).</summary>
public static class PlotRun
{
    public static int Run(string[] args)
    {
        var dir = args.Length > 0 ? args[0] : throw new ArgumentException("usage: plots RESULTS_DIR");
        var read = Stopwatch.StartNew();
        var results = RunResults.Read(dir);
        read.Stop();
        double bestSvg = double.MaxValue, bestPng = double.MaxValue;
        int plots = 0;
        for (int round = 0; round < 4; round++)
        {
            var svg = Stopwatch.StartNew();
            var figures = PlotSet.Draw(results);
            long bytes = figures.Sum(f => (long)f.Figure.ToSvg().Length);
            svg.Stop();
            var png = Stopwatch.StartNew();
            bytes += figures.Sum(f => (long)f.Figure.ToPng().Length);
            png.Stop();
            plots = figures.Count;
            if (round == 0) continue; // warm-up
            bestSvg = Math.Min(bestSvg, svg.Elapsed.TotalSeconds);
            bestPng = Math.Min(bestPng, png.Elapsed.TotalSeconds);
            GC.KeepAlive(bytes);
        }
        Console.WriteLine($"read results    {read.Elapsed.TotalSeconds:0.00} s");
        Console.WriteLine($"draw + SVG      {bestSvg:0.000} s for {plots} plots");
        Console.WriteLine($"PNG             {bestPng:0.000} s for {plots} plots");
        return 0;
    }
}
