using static Orca.Silo.Tests.SiloProcess;

namespace Orca.Silo.Tests;

/// <summary>
/// Orca's own HTTP and TCP health checks (Marathon style), made by the silo against a real busybox httpd in a
/// container on the host's network: the task is running only once the check passed, a check that starts failing
/// replaces the task, Docker's own HEALTHCHECK is off, and a silo killed with SIGKILL probes the containers it adopts.
/// </summary>
[Collection("docker")]
public sealed class HealthProbeTests : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(40);
    private readonly DockerHosts _hosts;
    private readonly SiloProcess _silo;

    public HealthProbeTests(DockerHosts hosts)
    {
        _hosts = hosts;
        _hosts.RemoveAllContainers();
        _silo = new SiloProcess();
        Ok(_silo.Orca("node", "add", "n1", "--docker", hosts.Endpoint(0)));
        Ok(_silo.Orca("node", "add", "n2", "--docker", hosts.Endpoint(1)));
    }


    private (int Host, string Id) OnlyRunningContainer()
    {
        for (int h = 0; h < 2; h++)
            if (_hosts.Containers(h).Where(c => c.Running).ToList() is [var c]) return (h, c.Id);
        throw new InvalidOperationException("not exactly one running container");
    }

    private bool ReplacedOnce(string service) => _silo.Running(service) is [var t] && !t.Task.EndsWith(".0", StringComparison.Ordinal);

    [Fact]
    public void AnHttpCheckByTheSiloMakesTheTaskRunningAndA404ReplacesIt()
    {
        int port = Processes.FreePort();
        Ok(_silo.Orca(["service", "create", "web", "--image", DockerHosts.Image, "--replicas", "1", "--network", "host", "--publish", $"{port}",
            "--health-http", $"{port}/ok.html", "--health-interval", "1s", "--health-retries", "2", "--health-start-period", "10s", "--restart-delay", "1s",
            "--", "sh", "-c", $"busybox mkdir -p /www; echo ok > /www/ok.html; sleep 3; exec httpd -f -p 127.0.0.1:{port} -h /www"]));
        SiloProcess.Until(() => _hosts.Containers(0).Concat(_hosts.Containers(1)).Any(c => c.Running), Settle, "the container started");
        Assert.Empty(_silo.Running("web")); // httpd is not up for 3 s: its checks fail within the start period
        SiloProcess.Until(() => _silo.Running("web").Count == 1, Settle, "running once the http check passed");
        var (host, id) = OnlyRunningContainer();
        var (_, inspect, _) = _hosts.Docker(host, "inspect", "--format", "{{.HostConfig.NetworkMode}} {{json .Config.Healthcheck.Test}} {{index .Config.Labels \"orca.health\"}}", id);
        Assert.StartsWith("host [\"NONE\"] ", inspect); // Docker checks nothing itself: the silo does
        Assert.Contains("\"HTTP\"", inspect);

        Ok(_hosts.Docker(host, "exec", id, "busybox", "rm", "/www/ok.html")); // httpd now answers 404
        SiloProcess.Until(() => ReplacedOnce("web"), Settle, "a new task running");
        var events = Ok(_silo.Orca("events")).Split('\n');
        Assert.Contains(events, l => l.Contains("web.1.0", StringComparison.Ordinal) && l.Contains(" running ", StringComparison.Ordinal) && l.EndsWith("healthy", StringComparison.Ordinal));
        Assert.Contains(events, l => l.Contains("web.1.0", StringComparison.Ordinal) && l.Contains("unhealthy: its health check failed", StringComparison.Ordinal));
        SiloProcess.Until(() => _hosts.Containers(0).Count + _hosts.Containers(1).Count == 1, Settle, "the unhealthy container removed");
    }

    /// <summary>The probes live in the silo: one killed with SIGKILL loses them. The silo started again adopts the
    /// container (the same one, still running) and probes it from the check in its label, so a check that fails
    /// after the restart still replaces the task.</summary>
    [Fact]
    public void ATcpCheckIsProbedAgainByASiloThatAdoptsTheContainerAfterSigkill()
    {
        int port = Processes.FreePort();
        Ok(_silo.Orca(["service", "create", "db", "--image", DockerHosts.Image, "--replicas", "1", "--network", "host", "--publish", $"{port}",
            "--health-tcp", $"{port}", "--health-interval", "1s", "--health-retries", "2", "--restart-delay", "1s",
            "--", "sh", "-c", $"busybox mkdir -p /www; httpd -p 127.0.0.1:{port} -h /www; trap 'exit 0' TERM; while true; do sleep 1; done"]));
        SiloProcess.Until(() => _silo.Running("db").Count == 1, Settle, "running once the tcp check passed");
        var (host, id) = OnlyRunningContainer();

        _silo.Kill();
        _silo.Start();
        SiloProcess.Until(() => _silo.Running("db").Count == 1, Settle, "running after the restart");
        Assert.Equal((host, id), OnlyRunningContainer()); // adopted, not started again
        Thread.Sleep(3000); // the adopting node grain has listed the container: its probe runs again

        Ok(_hosts.Docker(host, "exec", id, "busybox", "killall", "httpd")); // the port closes; the container runs on
        SiloProcess.Until(() => ReplacedOnce("db"), Settle, "the task replaced after its tcp check failed");
        Assert.Contains("unhealthy: its health check failed", Ok(_silo.Orca("events")));
    }

    [Fact]
    public void AnHttpCheckOnAPortThatIsNotPublishedIsRefused()
    {
        var r = _silo.Orca("service", "create", "bad", "--image", DockerHosts.Image, "--health-http", "8080/");
        Assert.Equal(2, r.Code);
        Assert.Contains("the health check dials port 8080 on the node: publish it (ports) or use the host network", r.Stderr);
        var both = _silo.Orca("service", "create", "bad", "--image", DockerHosts.Image, "--health-tcp", "8080", "--health-cmd", "true");
        Assert.Equal(2, both.Code);
        Assert.Contains("give one health check, not both", both.Stderr);
        Assert.DoesNotContain("bad", Ok(_silo.Orca("service", "ls")));
    }

    public void Dispose()
    {
        _silo.Dispose();
        _hosts.RemoveAllContainers();
    }
}
