using System.CommandLine;
using Orca.Grains.Model;
using Orca.Simulator.Plots;

namespace Orca.Cli;

/// <summary><c>orca plot RESULTS_DIR</c> draws the plots of a results folder again, or one of them;
/// <c>orca plot --compare A B</c> overlays two runs.</summary>
public static class PlotCommand
{
    public static Command Create()
    {
        var dirs = new Argument<DirectoryInfo[]>("RESULTS_DIR") { Description = "A results folder of `orca sim run` (two with --compare).", Arity = ArgumentArity.OneOrMore };
        var plot = new Option<string?>("--plot") { Description = $"Only this plot: {string.Join(", ", PlotSet.Names)}." };
        var at = new Option<string?>("--at") { Description = "For placement and utilisation: the snapshot nearest this virtual time (e.g. 7m)." };
        var output = new Option<FileInfo?>("--out") { Description = "Where to write: a file (.svg or .png) for one plot, else a folder (default: the results folder)." };
        var compare = new Option<bool>("--compare") { Description = "Overlay two runs (replicas over time and scheduling latency)." };
        var png = new Option<bool>("--png") { Description = "Also write each plot as PNG, beside its SVG." };
        var command = new Command("plot", "Draw the plots of a results folder as SVG (and PNG), or compare two runs.") { dirs, plot, at, output, compare, png };
        command.SetAction(parse =>
        {
            var folders = parse.GetValue(dirs)!;
            try
            {
                return parse.GetValue(compare)
                    ? Compare(folders, parse.GetValue(output), parse.GetValue(png))
                    : Plot(folders, parse.GetValue(plot), parse.GetValue(at), parse.GetValue(output), parse.GetValue(png));
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or InvalidOperationException or System.Text.Json.JsonException)
            {
                return ExitCodes.Refuse(e.Message);
            }
        });
        return command;
    }

    private static int Plot(DirectoryInfo[] folders, string? only, string? atText, FileInfo? output, bool png)
    {
        if (folders.Length != 1) return ExitCodes.Refuse("give one results folder (or two with --compare)");
        if (only is not null && !PlotSet.Names.Contains(only)) return ExitCodes.Refuse($"--plot {only}: expected one of {string.Join(", ", PlotSet.Names)}");
        double? at = null;
        if (atText is not null)
        {
            if (!QuantityFormat.TryParseDuration(atText, out var t)) return ExitCodes.Refuse($"--at {atText}: expected a virtual time such as 90s or 7m");
            at = t.TotalSeconds;
        }
        var results = RunResults.Read(folders[0].FullName);
        var figures = PlotSet.Draw(results, only, at);
        var written = new List<string>();
        if (output is not null && figures.Count == 1 && output.Extension is ".svg" or ".png")
        {
            var figure = figures[0].Figure;
            if (output.Extension == ".png") File.WriteAllBytes(output.FullName, figure.ToPng());
            else File.WriteAllText(output.FullName, figure.ToSvg());
            written.Add(output.FullName);
            if (png && output.Extension == ".svg")
            {
                File.WriteAllBytes(Path.ChangeExtension(output.FullName, ".png"), figure.ToPng());
                written.Add(Path.ChangeExtension(output.FullName, ".png"));
            }
        }
        else
        {
            var dir = output?.FullName ?? results.Directory;
            Directory.CreateDirectory(dir);
            foreach (var (name, figure) in figures) written.AddRange(PlotSet.Write(figure, dir, name, png));
            if (only is null && at is null && output is null) written.Add(PlotSet.WriteReport(results, figures, dir));
        }
        return Finish(written);
    }

    private static int Compare(DirectoryInfo[] folders, FileInfo? output, bool png)
    {
        if (folders.Length != 2) return ExitCodes.Refuse("--compare takes two results folders");
        var runs = folders.Select(f => (RunResults.Read(f.FullName), (string?)f.Name)).ToList();
        var dir = output?.FullName ?? Directory.GetCurrentDirectory();
        Directory.CreateDirectory(dir);
        var written = new List<string>();
        written.AddRange(PlotSet.Write(ReplicasPlot.Draw(runs), dir, "compare-replicas", png));
        written.AddRange(PlotSet.Write(LatencyPlot.Draw(runs), dir, "compare-latency", png));
        return Finish(written);
    }

    private static int Finish(List<string> written)
    {
        foreach (var f in written) Console.WriteLine($"wrote {Path.GetRelativePath(Environment.CurrentDirectory, f)}");
        WarnWithoutFonts();
        return ExitCodes.Ok;
    }

    /// <summary>The plots' text needs a font of the machine's; without one they are drawn with no text at all.</summary>
    public static void WarnWithoutFonts()
    {
        if (!Figure.HasFonts) Console.Error.WriteLine("warning: no font found, the plots have no text: install one (Debian: apt-get install fonts-dejavu-core)");
    }
}
