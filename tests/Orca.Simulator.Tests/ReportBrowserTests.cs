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
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed (./test.sh installs Debian's chromium)");
        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        var screenshot = Path.Combine(shots, screenshotName);
        File.Delete(screenshot);
        var psi = new ProcessStartInfo(chromium) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={TempDir()}", "--enable-logging=stderr", "--v=0",
                     "--window-size=1280,2000", $"--screenshot={screenshot}", new Uri(page).AbsoluteUri,
                 })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "chromium did not finish");
        var console = stderr.Result.Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal)).ToList();
        return (console, screenshot);
    }

    [Fact]
    public void TheReportOpensWithoutConsoleErrorsAndRendersAScreenshot()
    {
        var dir = TempDir();
        Simulation.Run(ScenarioParser.ParseFile(Path.Combine(RepoRoot(), "scenarios", "rack-failure.csv")), new SimulationOptions { OutputDirectory = dir });
        var report = PlotSet.WriteAll(RunResults.Read(dir));
        var (console, screenshot) = OpenInChromium(report, "rack-failure-report.png");
        Assert.Empty(console);
        Assert.True(new FileInfo(screenshot).Length > 20_000, "the screenshot is missing or blank");
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
