using System.Diagnostics;

namespace Orca.Simulator.Plots;

/// <summary>PNG copies of SVG plots through rsvg-convert (Debian's librsvg2-bin), when it is installed.</summary>
public static class PngExport
{
    public const string Missing = "PNG output needs rsvg-convert, which is not installed: apt-get install librsvg2-bin (the SVG files are written anyway)";

    public static string? Tool() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "rsvg-convert")).FirstOrDefault(File.Exists);

    /// <summary>Converts each SVG to a PNG beside it; returns the PNG paths. Throws when the tool is missing or fails.</summary>
    public static List<string> Convert(IEnumerable<string> svgFiles)
    {
        var tool = Tool() ?? throw new InvalidOperationException(Missing);
        var written = new List<string>();
        foreach (var svg in svgFiles)
        {
            var png = Path.ChangeExtension(svg, ".png");
            var psi = new ProcessStartInfo(tool) { RedirectStandardError = true };
            foreach (var a in new[] { "--background-color=white", "-o", png, svg }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"rsvg-convert failed on {svg}: {err.Trim()}");
            written.Add(png);
        }
        return written;
    }
}
