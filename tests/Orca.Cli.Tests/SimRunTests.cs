using System.Text.Json;

namespace Orca.Cli.Tests;

/// <summary>`orca sim run` end to end on every shipped scenario, and on bad input, as a new user runs it.</summary>
public class SimRunTests
{
    public static TheoryData<string> Shipped()
    {
        var root = Path.Combine(OrcaProcess.RepoRoot(), "scenarios");
        return new(Directory.GetFiles(root, "*.csv", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order().ToArray());
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void EveryShippedScenarioPassesAndWritesItsResults(string scenario)
    {
        var outDir = OrcaProcess.TempDir();
        var (code, stdout, stderr) = OrcaProcess.Run("sim", "run", $"scenarios/{scenario}", "--out", outDir, "--seed", "1");
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("PASSED", stdout);
        Assert.Contains("services", stdout);
        foreach (var file in new[] { "summary.json", "events.csv", "timeseries.csv", "placements.csv", "violations.csv" })
            Assert.True(new FileInfo(Path.Combine(outDir, file)).Length > 0, $"{file} is missing or empty");
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.True(summary.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(Path.GetFileNameWithoutExtension(scenario), summary.RootElement.GetProperty("scenario").GetString());
    }

    [Fact]
    public void AFailingExpectExitsOneAndNamesTheRow()
    {
        var dir = OrcaProcess.TempDir();
        var file = Path.Combine(dir, "wrong.csv");
        File.WriteAllText(file, "time,action,target,params\n0s,add-nodes,n,count=3\n1s,create-service,web,replicas=3\n1m,expect,web,running=4\n");
        var (code, stdout, _) = OrcaProcess.Run("sim", "run", file, "--out", Path.Combine(dir, "out"));
        Assert.Equal(1, code);
        Assert.Contains("failed line 4 at 60s: expect web: running=4 but running=3", stdout);
        Assert.Contains("FAILED", stdout);
    }

    [Fact]
    public void ABadScenarioDoesNotRunAndSaysWhereItIsWrong()
    {
        var dir = OrcaProcess.TempDir();
        var file = Path.Combine(dir, "bad.csv");
        File.WriteAllText(file, "time,action,target,params\n0s,add-nodes,n,count=3\n1s,create-service,web,replicas=3 cpus=2\n");
        var (code, stdout, stderr) = OrcaProcess.Run("sim", "run", file, "--out", Path.Combine(dir, "out"));
        Assert.Equal(2, code);
        Assert.Contains("bad.csv:3:4: params: unknown parameter 'cpus' for create-service; did you mean 'cpu'?", stderr);
        Assert.Contains("the scenario did not run", stderr);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
        Assert.DoesNotContain("PASSED", stdout);
    }

    [Fact]
    public void UntilStopsEarlyAndSeedIsReported()
    {
        var outDir = OrcaProcess.TempDir();
        var (code, stdout, _) = OrcaProcess.Run("sim", "run", "scenarios/quickstart.csv", "--until", "30s", "--seed", "9", "--out", outDir);
        Assert.Equal(0, code);
        Assert.Contains("virtual time 30s", stdout);
        Assert.Contains("seed 9", stdout);
    }

    [Theory]
    [InlineData("--until", "soon", "--until soon: expected a virtual time")]
    [InlineData("--seed", "minus", "minus")]
    public void BadOptionsAreRejected(string option, string value, string message)
    {
        var (code, stdout, stderr) = OrcaProcess.Run("sim", "run", "scenarios/quickstart.csv", option, value);
        Assert.NotEqual(0, code);
        Assert.Contains(message, stdout + stderr);
    }

    [Fact]
    public void ValidateChecksWithoutRunning()
    {
        var (code, stdout, _) = OrcaProcess.Run("sim", "validate", "scenarios/rack-failure.csv");
        Assert.Equal(0, code);
        Assert.Contains("ok rack-failure", stdout);
    }

    [Fact]
    public void AMissingFileIsAClearError()
    {
        var (code, _, stderr) = OrcaProcess.Run("sim", "run", "scenarios/nope.csv");
        Assert.Equal(2, code);
        Assert.Contains("nope.csv: no such file", stderr);
    }
}
