using static Orca.Silo.Tests.SiloProcess;

namespace Orca.Silo.Tests;

/// <summary>
/// Three Orleans silo processes in one cluster (ADO.NET clustering on a real PostgreSQL), with the two real Docker
/// hosts. A silo that misses three 1-second probes is declared dead.
/// </summary>
[Collection("docker")]
public sealed class ClusterTests : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly string[] Sleeper = ["--", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"];
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(45);
    private readonly DockerHosts _hosts;
    private readonly List<SiloProcess> _silos;

    public ClusterTests(DockerHosts hosts, PostgresServer postgres)
    {
        _hosts = hosts;
        _hosts.RemoveAllContainers();
        var db = postgres.NewDatabase();
        _silos = Enumerable.Range(0, 3).Select(_ => new SiloProcess(db, "--cluster", "prod")).ToList();
        SiloProcess.Until(() => _silos.All(s => s.ActiveSilos() == 3), Settle, "all three silos in every view");
        Ok(_silos[0].Orca("node", "add", "n1", "--docker", hosts.Endpoint(0), "--label", "rack=r1"));
        Ok(_silos[0].Orca("node", "add", "n2", "--docker", hosts.Endpoint(1), "--label", "rack=r2"));
    }

    private int RunningContainers() => _hosts.Containers(0).Count(c => c.Running) + _hosts.Containers(1).Count(c => c.Running);
    private List<string> ContainerIds() => _hosts.Containers(0).Concat(_hosts.Containers(1)).Select(c => c.Id).Order().ToList();
    private SiloProcess Hosting(string grain) => _silos.Single(s => s.Alive && s.Activations().Contains(grain));

    [Fact]
    public void AServiceCreatedThroughOneSiloIsManagedThroughTheOthers()
    {
        Ok(_silos[0].Orca(["service", "create", "web", "--image", DockerHosts.Image, "--replicas", "2", "--spread", "node.labels.rack", .. Sleeper]));
        Assert.Contains("web", Ok(_silos[1].Orca("service", "ls")));
        Ok(_silos[1].Orca("service", "scale", "web=4"));
        SiloProcess.Until(() => _silos[2].Running("web").Count == 4 && RunningContainers() == 4, Settle, "4 running, seen through the third silo");
        var cluster = Ok(_silos[2].Orca("cluster", "ls"));
        Assert.Equal(3, cluster.Split('\n').Count(l => l.Contains("active")));
        var all = _silos.SelectMany(s => s.Activations()).ToList();
        Assert.Equal(all.Count, all.Distinct().Count()); // one activation per grain in the cluster
    }

    [Fact]
    public void KillingTheSiloOfTheSchedulerAndAServiceHandsThemOverAndNothingIsLostOrStartedTwice()
    {
        Ok(_silos[0].Orca(["service", "create", "web", "--image", DockerHosts.Image, "--replicas", "4", "--spread", "node.labels.rack",
            "--restart-delay", "1s", .. Sleeper]));
        SiloProcess.Until(() => _silos[0].Running("web").Count == 4, Settle, "4 running");
        var scheduler = Hosting("scheduler/scheduler");
        var before = ContainerIds();
        scheduler.Kill();
        var survivors = _silos.Where(s => s.Alive).ToList();
        try
        {
            // Orleans activates a grain of the dead silo again on its next call; the service's keep-alive reminder (5s
            // here) calls it without anyone asking; the scheduler comes back with the first task to place.
            SiloProcess.Until(() => survivors.Any(s => s.Activations().Contains("service/web")), Settle, "the service taken over");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n" + string.Join("\n", survivors.Select(s => $"--- {s.Url}: {string.Join(", ", s.Activations())}\n{s.Log}")));
        }
        Assert.Equal(before, ContainerIds()); // nothing started twice by the takeover
        var victim = _hosts.Containers(0).First(c => c.Running);
        _hosts.Docker(0, "kill", victim.Id);
        try
        {
            SiloProcess.Until(() => RunningContainers() == 4 && survivors[0].Running("web").Count == 4 && !ContainerIds().Contains(victim.Id),
                Settle, "the killed container replaced after the takeover");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} (victim {victim.Name}; tasks {string.Join(", ", survivors[0].Running("web"))})\n"
                + string.Join("\n", survivors.Select(s => $"--- {s.Url}: {string.Join(", ", s.Activations())}\n{s.Log}")));
        }
        Assert.Equal(4, ContainerIds().Count);
        var nodes = Ok(survivors[1].Orca("node", "ls"));
        Assert.Contains("n1", nodes);
        Assert.Contains("n2", nodes);
    }

    [Fact]
    public void TwoOfThreeSilosKilledAndBroughtBackConvergeWithOneActivationPerGrain()
    {
        Ok(_silos[0].Orca(["service", "create", "web", "--image", DockerHosts.Image, "--replicas", "4", .. Sleeper]));
        SiloProcess.Until(() => _silos[0].Running("web").Count == 4, Settle, "4 running");
        var before = ContainerIds();
        _silos[1].Kill();
        _silos[2].Kill();
        SiloProcess.Until(() => _silos[0].ActiveSilos() == 1, Settle, "one silo left in the view");
        SiloProcess.Until(() => _silos[0].Running("web").Count == 4, Settle, "still 4 running with one silo");
        // The CLI given several silos uses the next one when one does not answer.
        var (code, stdout, stderr) = Processes.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "orca.dll"),
            "--silo", $"{_silos[1].Url},{_silos[2].Url},{_silos[0].Url}", "service", "ls"]);
        Assert.True(code == 0 && stdout.Contains("web"), stdout + stderr);
        _silos[1].Start();
        _silos[2].Start();
        SiloProcess.Until(() => _silos.All(s => s.ActiveSilos() == 3), Settle, "three silos again");
        Ok(_silos[2].Orca("service", "scale", "web=5"));
        SiloProcess.Until(() => RunningContainers() == 5, Settle, "5 running after the return");
        SiloProcess.Until(() =>
        {
            var all = _silos.SelectMany(s => s.Activations()).ToList();
            return all.Count == all.Distinct().Count() && all.Contains("scheduler/scheduler");
        }, Settle, "one activation per grain");
        Assert.True(before.All(ContainerIds().Contains), "a container of before was replaced: something was started twice");
    }

    public void Dispose()
    {
        foreach (var s in _silos) s.Dispose();
        _hosts.RemoveAllContainers();
    }
}

/// <summary>
/// Grains of a silo that dies come back on the survivors as soon as Orleans declares it dead, not at their keep-alive
/// reminder (ten minutes here, so only the survivors' membership listeners can explain a quick return).
/// </summary>
[Collection("docker")]
public sealed class SiloLossTests(DockerHosts hosts, PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly List<SiloProcess> _silos = [];

    [Fact]
    public void TheNodeGrainOfAKilledSiloFollowsItsHostFromASurvivorWithinSeconds()
    {
        hosts.RemoveAllContainers();
        var db = postgres.NewDatabase();
        for (int i = 0; i < 3; i++) _silos.Add(new SiloProcess(db, "--cluster", "prod", "--keep-alive", "10m"));
        var settle = TimeSpan.FromSeconds(45);
        SiloProcess.Until(() => _silos.All(s => s.ActiveSilos() == 3), settle, "three silos in every view");
        Assert.Equal(0, _silos[0].Orca("node", "add", "n1", "--docker", hosts.Endpoint(0)).Code);
        Assert.Equal(0, _silos[0].Orca("service", "create", "web", "--image", DockerHosts.Image, "--replicas", "3", "--restart-delay", "0s",
            "--", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done").Code);
        SiloProcess.Until(() => hosts.Containers(0).Count(c => c.Running) == 3, settle, "3 running");
        var owner = _silos.Single(s => s.Activations().Contains("node/n1"));
        owner.Kill();
        var victim = hosts.Containers(0).First(c => c.Running);
        hosts.Docker(0, "kill", victim.Id);
        var survivors = _silos.Where(s => s.Alive).ToList();
        SiloProcess.Until(() => survivors.Any(s => s.Activations().Contains("node/n1")), TimeSpan.FromSeconds(30),
            "the node grain back on a survivor (its keep-alive reminder is ten minutes away)");
        SiloProcess.Until(() => hosts.Containers(0).Count(c => c.Running) == 3 && hosts.Containers(0).All(c => c.Id != victim.Id),
            TimeSpan.FromSeconds(30), "the container killed with the silo replaced");
    }

    public void Dispose()
    {
        foreach (var s in _silos) s.Dispose();
        hosts.RemoveAllContainers();
    }
}

/// <summary>PostgreSQL restarted under the silos' feet. A separate class: it restarts the server it owns.</summary>
[Collection("docker")]
public sealed class DatabaseRestartTests(DockerHosts hosts) : IDisposable
{
    private readonly PostgresServer _postgres = new();
    private readonly List<SiloProcess> _silos = [];

    [Fact]
    public async Task ARestartOfPostgreSqlUnderLoadLosesNoStateAndStartsNothingTwice()
    {
        hosts.RemoveAllContainers();
        var db = _postgres.NewDatabase();
        for (int i = 0; i < 3; i++) _silos.Add(new SiloProcess(db, "--cluster", "prod"));
        SiloProcess.Until(() => _silos.All(s => s.ActiveSilos() == 3), TimeSpan.FromSeconds(45), "three silos in every view");
        Assert.Equal(0, _silos[0].Orca("node", "add", "n1", "--docker", hosts.Endpoint(0)).Code);
        Assert.Equal(0, _silos[0].Orca("service", "create", "web", "--image", DockerHosts.Image, "--replicas", "3", "--", "sleep", "3600").Code);
        SiloProcess.Until(() => _silos[0].Running("web").Count == 3, TimeSpan.FromSeconds(45), "3 running");
        var before = hosts.Containers(0).Select(c => c.Id).Order().ToList();

        var load = Task.Run(() => { for (int i = 0; i < 20; i++) _silos[i % 3].Orca("service", "ls"); });   // calls while the database is away
        _postgres.Restart(TimeSpan.FromSeconds(2));
        await load.WaitAsync(TimeSpan.FromMinutes(2));

        SiloProcess.Until(() => _silos.Count(s => s.ActiveSilos() == 3) == 3,
            TimeSpan.FromSeconds(60), "every silo back in the cluster");
        Assert.Equal(0, _silos[1].Orca("service", "scale", "web=4").Code);
        SiloProcess.Until(() => hosts.Containers(0).Count(c => c.Running) == 4, TimeSpan.FromSeconds(60), "4 running after the restart");
        Assert.True(before.All(hosts.Containers(0).Select(c => c.Id).Contains), "a container was replaced: something was started twice");
        Assert.Contains("web", _silos[2].Orca("service", "ls").Stdout);
    }

    public void Dispose()
    {
        foreach (var s in _silos) s.Dispose();
        hosts.RemoveAllContainers();
        _postgres.Dispose();
    }
}
