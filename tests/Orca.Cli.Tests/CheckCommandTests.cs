namespace Orca.Cli.Tests;

/// <summary>`orca check` end to end: passing properties, a caught mutation with its replay, bad input.</summary>
public class CheckCommandTests
{
    [Fact]
    public void PropertiesPassAndTheSummaryShowsCases()
    {
        var (code, stdout, stderr) = OrcaProcess.Run("check", "--runs", "60", "--seed", "4", "--property", "no-overcommit", "--property", "10",
            "--out", OrcaProcess.TempDir());
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("no-overcommit", stdout);
        Assert.Contains("nothing-lost", stdout);
        Assert.DoesNotContain("spread-even", stdout);
        Assert.Contains("PASSED", stdout);
    }

    [Fact]
    public void ABrokenSchedulerFailsAndTheReplayCommandReproducesIt()
    {
        var dir = OrcaProcess.TempDir();
        var (code, stdout, _) = OrcaProcess.Run("check", "--property", "no-overcommit", "--disable-filter", "cpu", "--runs", "200", "--seed", "7", "--out", dir);
        Assert.Equal(1, code);
        Assert.Contains("shrunk to 1 nodes in 1 racks, 1 services", stdout);
        var replayLine = stdout.Split('\n').Single(l => l.TrimStart().StartsWith("replay: ", StringComparison.Ordinal));
        var command = replayLine.Trim()["replay: ".Length..].Split(' ');
        Assert.Equal(["./orca", "sim", "run"], command[..3]);

        var (replayCode, replayOut, _) = OrcaProcess.Run("sim", "run", command[3], "--out", Path.Combine(dir, "replay"));
        Assert.Equal(1, replayCode);
        Assert.Contains("node-overcommit", replayOut);
    }

    [Theory]
    [InlineData("--property", "fastest", "no property 'fastest'")]
    [InlineData("--disable-filter", "gravity", "--disable-filter gravity: expected one of")]
    [InlineData("--runs", "0", "--runs must be 1 or more")]
    public void BadOptionsAreRejected(string option, string value, string message)
    {
        var (code, _, stderr) = OrcaProcess.Run("check", option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }
}
