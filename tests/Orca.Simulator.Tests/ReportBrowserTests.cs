using System.Diagnostics;
using Orca.Simulator.Plots;
using Orca.Simulator.Scenarios;
using static Orca.Simulator.Tests.SimulationHarness;

namespace Orca.Simulator.Tests;

/// <summary>The HTML report in a real browser: Debian's Chromium, headless, with console messages logged.</summary>
public class ReportBrowserTests
{
    private static (List<string> ConsoleErrors, string Screenshot) OpenInChromium(string page, string screenshotName)
    {
        var shot = Screenshot(screenshotName);
        return (Chromium(page, [$"--screenshot={shot}", "--window-size=1280,2000"], out _), shot);
    }

    private static string Screenshot(string name)
    {
        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        return Path.Combine(shots, name);
    }

    /// <summary>Opens a copy of the page with a script that, once everything loaded, writes into the DOM how many
    /// images it has and which of them the browser could not decode; returns (images, broken sources).</summary>
    private static (int Images, string[] Broken) ImagesAsLoaded(string page)
    {
        var probe = Path.Combine(Path.GetDirectoryName(page)!, "probe-" + Path.GetFileName(page));
        File.WriteAllText(probe, File.ReadAllText(page).Replace("</body>", """
            <script>addEventListener('load', () => {
              const broken = [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'));
              document.body.setAttribute('data-images', document.images.length);
              document.body.setAttribute('data-broken', broken.join(' '));
            });</script></body>
            """));
        Chromium(probe, ["--dump-dom", "--virtual-time-budget=20000"], out var dom);
        var images = System.Text.RegularExpressions.Regex.Match(dom, "data-images=\"(\\d+)\"");
        var broken = System.Text.RegularExpressions.Regex.Match(dom, "data-broken=\"([^\"]*)\"");
        Assert.True(images.Success && broken.Success, "the probe script did not run: " + dom[..Math.Min(300, dom.Length)]);
        return (int.Parse(images.Groups[1].Value), broken.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static List<string> Chromium(string page, string[] extra, out string stdout)
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed (./test.sh installs Debian's chromium)");
        foreach (var e in extra)
            if (e.StartsWith("--screenshot=", StringComparison.Ordinal)) File.Delete(e["--screenshot=".Length..]);
        var psi = new ProcessStartInfo(chromium) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={TempDir()}", "--enable-logging=stderr", "--v=0",
                 }.Concat(extra).Append(new Uri(page).AbsoluteUri))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "chromium did not finish");
        return stderr.Result.Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal)).ToList();
    }

    [Fact]
    public void TheReportOpensWithoutConsoleErrorsAndRendersAScreenshot()
    {
        var dir = TempDir();
        Simulation.Run(ScenarioParser.ParseFile(Path.Combine(RepoRoot(), "scenarios", "rack-failure.csv")), new SimulationOptions { OutputDirectory = dir });
        var report = PlotSet.WriteAll(RunResults.Read(dir));
        var (console, screenshot) = OpenInChromium(report, "rack-failure-report.png");
        Assert.Empty(console);
        Assert.True(File.Exists(screenshot), "no screenshot");
        var (images, broken) = ImagesAsLoaded(report);
        Assert.Equal(PlotSet.Draw(RunResults.Read(dir)).Count, images);
        Assert.Empty(broken);
    }

    [Fact]
    public void TheImageCheckSeesABrokenImage()
    {
        var dir = TempDir();
        File.WriteAllText(Path.Combine(dir, "bad.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect"); // cut off
        File.WriteAllText(Path.Combine(dir, "good.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\"/></svg>");
        var page = Path.Combine(dir, "page.html");
        File.WriteAllText(page, "<!DOCTYPE html><html><body><img src=\"good.svg\"><img src=\"bad.svg\"><img src=\"missing.svg\"></body></html>");
        var (images, broken) = ImagesAsLoaded(page);
        Assert.Equal(3, images);
        Assert.Equal(["bad.svg", "missing.svg"], broken);
    }

    [Fact]
    public void TheConsoleCheckSeesAnErrorWhenThereIsOne()
    {
        var page = Path.Combine(TempDir(), "broken.html");
        File.WriteAllText(page, "<!DOCTYPE html><html><body><p>x</p><script>console.error('deliberate'); undefinedFunction();</script></body></html>");
        var (console, _) = OpenInChromium(page, "broken.png");
        Assert.Contains(console, l => l.Contains("deliberate"));
        Assert.Contains(console, l => l.Contains("undefinedFunction"));
    }
}
