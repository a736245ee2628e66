using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Orca.Silo.Tests;

/// <summary>
/// SIGKILL of the silo at several moments of a create, a scale-up and a removal, with containers being created,
/// started, stopped and removed on two real Docker hosts. After a restart the hosts must hold exactly what the
/// services declare: every service at its replicas, one running container per slot, no container left in Docker's
/// created or exited state, no container of a removed service, no task stuck before running.
/// </summary>
[Collection("docker")]
public sealed class CrashTests : IDisposable
{
    private const string Service = "crash";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private readonly DockerHosts _hosts;
    private readonly SiloProcess _silo;
    private readonly HttpClient _http;

    public CrashTests(DockerHosts hosts)
    {
        _hosts = hosts;
        _hosts.RemoveAllContainers();
        _silo = new SiloProcess();
        _http = new HttpClient { BaseAddress = new Uri(_silo.Url + "/"), Timeout = TimeSpan.FromSeconds(30) };
        for (int h = 0; h < 2; h++)
            Assert.Equal(0, _silo.Orca("node", "add", $"n{h + 1}", "--docker", hosts.Endpoint(h), "--label", $"rack=r{h + 1}").Code);
    }

    /// <summary>The kill comes this long after the API acknowledged the request (0: at once).</summary>
    public static TheoryData<int> Moments => [0, 150, 400, 900, 2000];

    [Theory, MemberData(nameof(Moments))]
    public void KilledDuringCreatesEveryReplicaRunsOnceAfterTheRestart(int killAfterMs)
    {
        Create(12);
        KillAndRestart(killAfterMs);
        AssertConverged(12);
    }

    [Theory, MemberData(nameof(Moments))]
    public void KilledDuringAScaleUpEveryReplicaRunsOnceAfterTheRestart(int killAfterMs)
    {
        Create(2);
        SiloProcess.Until(() => HostContainers().Count(c => c.State == "running") == 2, Settle, "2 running containers");
        Send(HttpMethod.Post, $"v1/services/{Service}/scale", new { replicas = 14 });
        KillAndRestart(killAfterMs);
        AssertConverged(14);
    }

    [Theory, MemberData(nameof(Moments))]
    public void KilledDuringRemovalsNoContainerIsLeftBehind(int killAfterMs)
    {
        Create(12);
        SiloProcess.Until(() => HostContainers().Count(c => c.State == "running") == 12, Settle, "12 running containers");
        Send(HttpMethod.Delete, $"v1/services/{Service}", null);
        KillAndRestart(killAfterMs);
        SiloProcess.Until(() => HostContainers().Count == 0, Settle, $"no container left ({Describe()})");
        SiloProcess.Until(() => !_silo.Get("v1/services")!.AsArray().Any(s => s!["spec"]!["name"]!.GetValue<string>() == Service),
            Settle, "the service gone from the list");
        Thread.Sleep(3000); // three heartbeats: nothing comes back
        Assert.Empty(HostContainers());
    }

    private void Create(int replicas) => Send(HttpMethod.Post, "v1/services", new
    {
        name = Service, image = DockerHosts.Image, replicas, cpu = "10m", memory = "16Mi", spread = new[] { "node.labels.rack" },
        restart = "any", restartDelay = "1s", command = new[] { "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done" },
    });

    private void Send(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = _http.Send(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().Result}");
    }

    private void KillAndRestart(int killAfterMs)
    {
        if (killAfterMs > 0) Thread.Sleep(killAfterMs);
        _silo.Kill();
        _silo.Start();
    }

    /// <summary>Every replica running once, on the hosts and in the API, and it stays so for several heartbeats.</summary>
    private void AssertConverged(int replicas)
    {
        SiloProcess.Until(() => Converged(replicas), Settle, $"{replicas} replicas, each once ({Describe()})");
        Thread.Sleep(3000);
        Assert.True(Converged(replicas), $"still converged three heartbeats later ({Describe()})");
    }

    private bool Converged(int replicas)
    {
        var containers = HostContainers();
        if (containers.Count != replicas || containers.Any(c => c.State != "running")) return false;
        if (containers.Select(c => c.Slot).Distinct().Count() != replicas) return false;
        var tasks = Tasks();
        var live = tasks.Where(t => t.State is not ("complete" or "failed" or "shutdown" or "orphaned" or "rejected")).ToList();
        return live.Count == replicas && live.All(t => t.State == "running")
            && live.Select(t => $"orca-{t.Id}").Order().SequenceEqual(containers.Select(c => c.Name).Order());
    }

    /// <summary>The service's containers on both hosts: name (orca-SERVICE.SLOT.GEN), slot and Docker state.</summary>
    private List<(string Name, string Slot, string State)> HostContainers()
    {
        var list = new List<(string, string, string)>();
        for (int h = 0; h < 2; h++)
        {
            var (_, stdout, _) = _hosts.Docker(h, "ps", "-a", "--filter", $"label=orca.service={Service}", "--format", "{{.Names}} {{.State}}");
            foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var f = line.Split(' ');
                list.Add((f[0], f[0].Split('.')[1], f[1]));
            }
        }
        return list;
    }

    private List<(string Id, string State)> Tasks() =>
        _silo.Get($"v1/tasks?service={Service}")!.AsArray()
            .Select(t => (t!["task"]!["taskId"]!.GetValue<string>(), t["task"]!["state"]!.GetValue<string>())).ToList();

    private string Describe()
    {
        string tasks;
        try
        {
            tasks = string.Join(", ", Tasks().Select(t => $"{t.Id}:{t.State}"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or AggregateException)
        {
            tasks = $"(no answer: {e.Message})";
        }
        return $"hosts: {string.Join(", ", HostContainers().Select(c => $"{c.Name}:{c.State}"))}; tasks: {tasks}";
    }

    public void Dispose()
    {
        _http.Dispose();
        _silo.Dispose();
        _hosts.RemoveAllContainers();
    }
}
