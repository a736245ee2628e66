using System.Diagnostics;

namespace Orca.Cli.Tests;

/// <summary>Runs the real <c>orca</c> command (the built CLI) as a user would, in the repository folder.</summary>
internal static class OrcaProcess
{
    public static string RepoRoot() => Orca.Tests.Shared.RepoPaths.RepoRoot();

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunWithPath(null, args);

    /// <summary>Runs orca with PATH replaced (to show how it behaves when a tool is not installed).</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunWithPath(string? path, params string[] args)
    {
        var dotnet = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        var psi = new ProcessStartInfo(dotnet) { WorkingDirectory = RepoRoot(), RedirectStandardOutput = true, RedirectStandardError = true };
        if (path is not null) psi.Environment["PATH"] = path;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "orca.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"orca {string.Join(' ', args)} did not finish");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static string TempDir() => Orca.Tests.Shared.RepoPaths.TempDir("orca-cli-tests");
}
