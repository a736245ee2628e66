using static Orca.Silo.Tests.SiloProcess;

namespace Orca.Silo.Tests;

/// <summary><c>orca node update</c> and <c>orca node rm</c> on real Docker hosts: the constraint enforcer moves the
/// containers a node no longer satisfies, a removal stops and removes what the node ran, and the host can join again.</summary>
[Collection("docker")]
public sealed class NodeChangeTests : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(40);
    private readonly DockerHosts _hosts;
    private readonly SiloProcess _silo;

    public NodeChangeTests(DockerHosts hosts)
    {
        _hosts = hosts;
        _hosts.RemoveAllContainers();
        _silo = new SiloProcess();
        Ok(_silo.Orca("node", "add", "n1", "--docker", hosts.Endpoint(0), "--label", "rack=r1", "--label", "gpu=yes"));
        Ok(_silo.Orca("node", "add", "n2", "--docker", hosts.Endpoint(1), "--label", "rack=r2"));
    }

    private int Containers(int host) => _hosts.Containers(host).Count;

    [Fact]
    public void ALabelMovedFromOneNodeToAnotherTakesTheConstrainedContainersWithIt()
    {
        Ok(_silo.Orca("service", "create", "ml", "--image", DockerHosts.Image, "--replicas", "2", "--cpu", "100m", "--memory", "32Mi",
            "--constraint", "node.labels.gpu==yes", "--", "sleep", "3600"));
        Until(() => _silo.Running("ml").Count(t => t.Node == "n1") == 2, Settle, "2 ml tasks running on n1");

        Ok(_silo.Orca("node", "update", "n2", "--label-add", "gpu=yes", "--role", "manager"));
        Assert.Contains("manager", Ok(_silo.Orca("node", "ls")));
        Ok(_silo.Orca("node", "update", "n1", "--label-rm", "gpu", "--label-add", "disk=ssd"));
        Until(() => _silo.Running("ml").Count(t => t.Node == "n2") == 2 && Containers(0) == 0, Settle, "both ml tasks moved to n2, n1 emptied");
        Assert.Equal(2, _hosts.Containers(1).Count(c => c.Running));
        var n1 = _silo.Get("v1/nodes/n1")!["spec"]!["labels"]!;
        Assert.Equal("ssd", n1["disk"]!.GetValue<string>());
        Assert.Null(n1["gpu"]);

        var missing = _silo.Orca("node", "update", "n1", "--label-rm", "gpu");
        Assert.NotEqual(0, missing.Code);
        Assert.Contains("node n1 has no label 'gpu'", missing.Stderr);
    }

    [Fact]
    public void ANodeIsRemovedOnlyWhenDownDrainedOrForcedAndItsContainersGoWithIt()
    {
        Ok(_silo.Orca("service", "create", "web", "--image", DockerHosts.Image, "--replicas", "4", "--cpu", "100m", "--memory", "32Mi",
            "--spread", "node.labels.rack", "--", "sleep", "3600"));
        Until(() => _silo.Running("web").Count == 4, Settle, "4 running tasks");

        var refused = _silo.Orca("node", "rm", "n2");
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("drain it first (orca node drain n2) or remove it with --force", refused.Stderr);
        Assert.Equal(2, _hosts.Containers(1).Count(c => c.Running));

        Ok(_silo.Orca("node", "rm", "n2", "--force"));
        Until(() => _silo.Running("web").Count(t => t.Node == "n1") == 4 && Containers(1) == 0, Settle,
            "all 4 tasks on n1 and nothing left on n2's host");
        Assert.DoesNotContain("n2", Ok(_silo.Orca("node", "ls")));
        Assert.NotEqual(0, _silo.Orca("node", "inspect", "n2").Code);

        // The host joins again once the old node grain has let it go.
        Until(() => _silo.Orca("node", "add", "n2", "--docker", _hosts.Endpoint(1), "--label", "rack=r2").Code == 0, Settle, "n2 added again");
        Assert.Contains("n2", Ok(_silo.Orca("node", "ls")));
    }

    /// <summary>Swarm's engine-reported fields: engine labels (set by each test daemon's --label), OS, architecture,
    /// host name and address come from docker info and the endpoint, not from Orca's node labels.</summary>
    [Fact]
    public void ConstraintsOnWhatTheEngineReportsPlaceOnTheRightHost()
    {
        var n2 = _silo.Get("v1/nodes/n2")!["spec"]!["description"]!;
        Assert.Equal("host2", n2["engineLabels"]!["orca.host"]!.GetValue<string>());
        Assert.Equal("linux", n2["os"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", n2["address"]!.GetValue<string>());
        var hostname = n2["hostname"]!.GetValue<string>();
        Assert.NotEmpty(hostname);

        Ok(_silo.Orca("service", "create", "pinned", "--image", DockerHosts.Image, "--replicas", "2", "--cpu", "100m", "--memory", "32Mi",
            "--constraint", "ENGINE.labels.orca.host == HOST2", "--constraint", "node.platform.os==linux", "--constraint", "node.ip==127.0.0.0/8",
            "--", "sleep", "3600"));
        Until(() => _silo.Running("pinned").Count(t => t.Node == "n2") == 2, Settle, "2 pinned tasks on n2");
        Assert.Empty(_hosts.Containers(0));

        // A node label of the same name is not an engine label.
        Ok(_silo.Orca("node", "update", "n1", "--label-add", "orca.host=host2"));
        var bad = _silo.Orca("service", "create", "bad", "--image", DockerHosts.Image, "--constraint", "node.ip==127.1.1.300", "--", "sleep", "1");
        Assert.NotEqual(0, bad.Code);
        Assert.Contains("neither an IP address", bad.Stderr);
        Thread.Sleep(2000);
        Assert.Empty(_hosts.Containers(0));
    }

    /// <summary>Named GPUs on a real host: each task is given one, in its container's environment as Swarm's executor
    /// does (DOCKER_RESOURCE_GPU), and a task that finds none left stays pending with the reason.</summary>
    [Fact]
    public void NamedGpusAreGivenOutOnceAndReachTheContainers()
    {
        Ok(_silo.Orca("node", "update", "n1", "--generic-resource", "gpu=GPU-0,GPU-1"));
        Assert.Contains("gpu=GPU-0,GPU-1", Ok(_silo.Orca("node", "ls")));
        Ok(_silo.Orca("service", "create", "train", "--image", DockerHosts.Image, "--replicas", "3", "--cpu", "100m", "--memory", "32Mi",
            "--generic-resource", "gpu=1", "--", "sleep", "3600"));
        Until(() => _silo.Running("train").Count == 2, Settle, "2 train tasks running");
        Assert.All(_silo.Running("train"), t => Assert.Equal("n1", t.Node));
        var gpus = _hosts.Containers(0).Select(c => Ok(_hosts.Docker(0, "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", c.Id))
            .Split('\n').Single(l => l.StartsWith("DOCKER_RESOURCE_GPU=", StringComparison.Ordinal))).Order().ToList();
        Assert.Equal(["DOCKER_RESOURCE_GPU=GPU-0", "DOCKER_RESOURCE_GPU=GPU-1"], gpus);
        var service = _silo.Get("v1/services/train")!;
        Assert.Equal(1, service["pending"]!.GetValue<int>());
        Assert.Contains("insufficient gpu on 2 nodes", Ok(_silo.Orca("events", "--since", "0")));
    }

    /// <summary>A topology spread through the API and the CLI: with minDomains above the two racks there are, each rack
    /// takes at most maxSkew tasks and the rest wait with the reason.</summary>
    [Fact]
    public void ATopologySpreadWithMoreMinDomainsThanRacksKeepsTheRestPending()
    {
        Ok(_silo.Orca("service", "create", "api", "--image", DockerHosts.Image, "--replicas", "5", "--cpu", "100m", "--memory", "32Mi",
            "--topology-spread", "rack:1:DoNotSchedule:3", "--", "sleep", "3600"));
        Until(() => _silo.Running("api").Count == 2, Settle, "2 api tasks running");
        Assert.Equal(["n1", "n2"], _silo.Running("api").Select(t => t.Node).Order());
        Until(() => Ok(_silo.Orca("events", "--since", "0")).Contains("topology spread rack:1:DoNotSchedule:3 would be exceeded on 2 nodes"),
            Settle, "the pending reason");
        var bad = _silo.Orca("service", "create", "bad", "--image", DockerHosts.Image, "--topology-spread", "rack:0", "--", "sleep", "1");
        Assert.NotEqual(0, bad.Code);
        Assert.Contains("max skew", bad.Stderr);
    }

    public void Dispose() => _silo.Dispose();
}
