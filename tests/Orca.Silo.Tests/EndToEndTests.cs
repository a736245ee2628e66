using static Orca.Silo.Tests.SiloProcess;

namespace Orca.Silo.Tests;

/// <summary>
/// The silo on real Docker hosts, driven through the `orca` command as a user would. Each test starts its own silo
/// (its own database and port) on the two shared Docker daemons; heartbeats are 1 s and nodes are declared down
/// after 4 s so failures are detected quickly.
/// </summary>
[Collection("docker")]
public sealed class EndToEndTests : IDisposable
{
    private static readonly string[] Sleeper = ["--", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"];
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(40);
    private readonly DockerHosts _hosts;
    private readonly SiloProcess _silo;

    public EndToEndTests(DockerHosts hosts)
    {
        _hosts = hosts;
        _hosts.RemoveAllContainers();
        _silo = new SiloProcess();
        Ok(_silo.Orca("node", "add", "n1", "--docker", hosts.Endpoint(0), "--label", "rack=r1"));
        Ok(_silo.Orca("node", "add", "n2", "--docker", hosts.Endpoint(1), "--label", "rack=r2"));
    }

    private void CreateWeb(int replicas, params string[] extra) =>
        Ok(_silo.Orca(["service", "create", "web", "--image", DockerHosts.Image, "--replicas", replicas.ToString(), "--cpu", "100m",
            "--memory", "32Mi", "--spread", "node.labels.rack", "--restart", "any", "--restart-delay", "1s", .. extra, .. Sleeper]));

    private int RunningContainers() => _hosts.Containers(0).Count(c => c.Running) + _hosts.Containers(1).Count(c => c.Running);

    [Fact]
    public void SixReplicasSpreadOverTwoRacksRunThreeAndThreeRealContainers()
    {
        CreateWeb(6);
        SiloProcess.Until(() => _silo.Running("web").Count == 6, Settle, "6 running tasks");
        Assert.Equal(3, _hosts.Containers(0).Count(c => c.Running));
        Assert.Equal(3, _hosts.Containers(1).Count(c => c.Running));
        var (_, labels, _) = _hosts.Docker(0, "inspect", "--format", "{{index .Config.Labels \"orca.service\"}} {{index .Config.Labels \"orca.node\"}} {{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}", _hosts.Containers(0)[0].Id);
        Assert.Equal("web n1 100000000 33554432 no", labels.Trim());
        var ps = Ok(_silo.Orca("service", "ps", "web"));
        Assert.Equal(6, ps.Split('\n').Count(l => l.Contains("running") && l.Contains("web.")));
    }

    /// <summary>An image neither host has, in a real registry on loopback: both hosts pull it, and each pull's
    /// course (started, done, with the size fetched) is in the events, by node.</summary>
    [Fact]
    public void AnImageNoHostHasIsPulledFromItsRegistryAndThePullsShowInTheEvents()
    {
        using var registry = new Registry();
        var image = $"{registry.Address}/orca-test/pulled:1";
        Ok(_hosts.Docker(0, "tag", DockerHosts.Image, image));
        Ok(_hosts.Docker(0, "push", image));
        Ok(_hosts.Docker(0, "rmi", image));
        Assert.NotEqual(0, _hosts.Docker(0, "image", "inspect", image).Code);
        Assert.NotEqual(0, _hosts.Docker(1, "image", "inspect", image).Code);

        Ok(_silo.Orca(["service", "create", "pulled", "--image", image, "--replicas", "2", "--cpu", "100m", "--memory", "32Mi",
            "--spread", "node.labels.rack", .. Sleeper]));
        SiloProcess.Until(() => _silo.Running("pulled").Count == 2, Settle, "2 running tasks of the pulled image");
        Assert.Equal(0, _hosts.Docker(1, "image", "inspect", image).Code);

        var lines = Ok(_silo.Orca("events")).Split('\n').Where(l => l.Contains(" image ", StringComparison.Ordinal) && l.Contains(image, StringComparison.Ordinal)).ToList();
        foreach (var node in new[] { "n1", "n2" })
        {
            var mine = lines.Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, $@"\s{node}\s")).ToList();
            Assert.True(mine.Any(l => l.Contains(" started ", StringComparison.Ordinal) && l.Contains($"pulling {image}", StringComparison.Ordinal)), string.Join('\n', lines));
            Assert.True(mine.Any(l => l.Contains(" done ", StringComparison.Ordinal) && l.Contains("Downloaded newer image", StringComparison.Ordinal)), string.Join('\n', lines));
            Assert.InRange(mine.Count, 2, 5); // started, at most three quarters, done: not a line per chunk
        }
        // n1 pushed the image and keeps its layer (only the name was removed): nothing to download. n2 fetched it all.
        Assert.Contains(lines, l => l.Contains(" n2 ", StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(l, @"done .*\(\d+(\.\d)? (KiB|MiB)\)$"));
    }

    /// <summary>An update to a version whose containers exit a second after they start, with the failure action
    /// rollback: --wait follows it and exits 1, the service is back on the old spec, and the containers running on
    /// the real hosts are the old command's; a good update afterwards waits to 0.</summary>
    [Fact]
    public void AnUpdateToAFailingVersionIsRolledBackOnTheRealHostsAndWaitSaysSo()
    {
        CreateWeb(4);
        SiloProcess.Until(() => _silo.Running("web").Count == 4, Settle, "4 running tasks");
        var bad = _silo.Orca(["service", "update", "web", "--env", "VERSION=2", "--update-failure-action", "rollback", "--update-monitor", "5s",
            "--update-parallelism", "2", "--rollback-monitor", "2s", "--wait", "--timeout", "3m", "--", "sh", "-c", "sleep 1; exit 3"]);
        Assert.True(bad.Code == 1, $"exit {bad.Code}\n{bad.Stdout}\n{bad.Stderr}");
        Assert.Contains("rollback_completed", bad.Stdout);
        Assert.Contains("update rolled back", bad.Stdout);

        var inspect = System.Text.Json.Nodes.JsonNode.Parse(Ok(_silo.Orca("service", "inspect", "web")))!;
        Assert.Equal(3, inspect["version"]!.GetValue<int>());
        Assert.Equal("rollback-completed", inspect["deployment"]!["state"]!.GetValue<string>());
        Assert.Equal(2, inspect["deployment"]!["rolledBackVersion"]!.GetValue<int>());
        SiloProcess.Until(() => RunningContainers() == 4 && _silo.Running("web").Count == 4, Settle, "4 running containers after the rollback");
        foreach (var host in new[] { 0, 1 })
            foreach (var c in _hosts.Containers(host).Where(c => c.Running))
            {
                var (_, cmd, _) = _hosts.Docker(host, "inspect", "--format", "{{json .Config.Cmd}} {{json .Config.Env}}", c.Id);
                Assert.Contains("while true", cmd);
                Assert.DoesNotContain("VERSION=2", cmd);
            }
        var deployments = Ok(_silo.Orca("service", "deployments", "web"));
        Assert.Contains("rollback_completed", deployments);
        Assert.Contains("completed", deployments);

        var good = _silo.Orca(["service", "update", "web", "--env", "VERSION=4", "--update-monitor", "2s", "--wait", "--timeout", "3m"]);
        Assert.True(good.Code == 0, $"exit {good.Code}\n{good.Stdout}\n{good.Stderr}");
        Assert.Contains("completed, 4/4 updated, 4 healthy, 0 failed  [####################]", good.Stdout);
        var scaled = _silo.Orca(["service", "scale", "web=6", "--wait", "--timeout", "2m"]);
        Assert.True(scaled.Code == 0, $"exit {scaled.Code}\n{scaled.Stdout}\n{scaled.Stderr}");
        Assert.Contains("web: 6/6 running, 0 pending  [####################]", scaled.Stdout);
        var paused = _silo.Orca(["service", "update", "web", "--env", "VERSION=5", "--update-failure-action", "pause", "--update-monitor", "5s", "--wait", "--timeout", "3m", "--", "sh", "-c", "exit 4"]);
        Assert.True(paused.Code == 1, $"exit {paused.Code}\n{paused.Stdout}\n{paused.Stderr}");
        Assert.Contains("update paused", paused.Stdout); // the action set for this update: the service keeps the last one given
        var timedOut = _silo.Orca(["service", "rollback", "web", "--rollback-to", "4", "--wait", "--timeout", "0s"]);
        Assert.Equal(DeploymentCommandsTimedOut, timedOut.Code);
        Assert.Contains("rolling back: version 6", timedOut.Stdout); // to the spec of 4; 5 was the paused update (a scale is no new version)
    }

    private const int DeploymentCommandsTimedOut = 124;

    /// <summary>Docker's own HEALTHCHECK on a real host: the task is running only once the check passed; when the
    /// file the check tests is removed inside the container, the task turns unhealthy, fails, and is replaced.</summary>
    [Fact]
    public void AContainerWhoseHealthCheckFailsIsReplaced()
    {
        Ok(_silo.Orca(["service", "create", "hc", "--image", DockerHosts.Image, "--replicas", "1", "--cpu", "100m", "--memory", "32Mi",
            "--health-cmd", "test -f /tmp/ok", "--health-interval", "1s", "--health-retries", "2", "--health-start-period", "10s", "--restart-delay", "1s",
            "--", "sh", "-c", "sleep 3; touch /tmp/ok; trap 'exit 0' TERM; while true; do sleep 1; done"]));
        SiloProcess.Until(() => _hosts.Containers(0).Concat(_hosts.Containers(1)).Any(c => c.Running), Settle, "the container started");
        Assert.Empty(_silo.Running("hc")); // started, not yet healthy: the file appears after 3 s (failures before count not: start period)
        SiloProcess.Until(() => _silo.Running("hc").Count == 1, Settle, "running once healthy");
        int host = _hosts.Containers(0).Any(c => c.Running) ? 0 : 1;
        var first = _hosts.Containers(host).Single(c => c.Running);
        Ok(_hosts.Docker(host, "exec", first.Id, "busybox", "rm", "/tmp/ok"));
        SiloProcess.Until(() => _silo.Running("hc") is [var t] && !t.Task.EndsWith(".0", StringComparison.Ordinal), Settle, "a new task running");
        var events = Ok(_silo.Orca("events")).Split('\n');
        Assert.Contains(events, l => l.Contains("hc.1.0", StringComparison.Ordinal) && l.Contains(" running ", StringComparison.Ordinal) && l.EndsWith("healthy", StringComparison.Ordinal));
        Assert.Contains(events, l => l.Contains("hc.1.0", StringComparison.Ordinal) && l.Contains(" failed ", StringComparison.Ordinal) && l.Contains("unhealthy: its health check failed", StringComparison.Ordinal));
    }

    [Fact]
    public void AKilledContainerIsReplacedAndTheEventShows()
    {
        CreateWeb(4);
        SiloProcess.Until(() => _silo.Running("web").Count == 4, Settle, "4 running tasks");
        var victim = _hosts.Containers(0).First(c => c.Running);
        _hosts.Docker(0, "kill", victim.Id);
        SiloProcess.Until(() => RunningContainers() == 4 && _silo.Running("web").Count == 4 && !_hosts.Containers(0).Any(c => c.Id == victim.Id),
            Settle, "the killed container replaced");
        var events = Ok(_silo.Orca("events"));
        Assert.Contains($"{victim.Name["orca-".Length..]}", events);
        Assert.Contains("exited with code 137", events);
        var parts = victim.Name["orca-".Length..].Split('.'); // web.N.G
        Assert.Contains(_silo.Running("web"), t => t.Task == $"web.{parts[1]}.{int.Parse(parts[2]) + 1}");
        Assert.Equal(3, _silo.Running("web").Count(t => t.Task.EndsWith(".0", StringComparison.Ordinal))); // nothing else restarted
    }

    [Fact]
    public void AStoppedDockerHostIsDeclaredDownItsReplicasMoveAndItComesBackWithoutDuplicates()
    {
        try
        {
            CreateWeb(4);
            SiloProcess.Until(() => _silo.Running("web").Count == 4, Settle, "4 running tasks");
            _hosts.StopDaemon(1);
            SiloProcess.Until(() => _silo.Get("v1/nodes/n2")!["status"]!.GetValue<string>() == "down", Settle, "n2 declared down");
            SiloProcess.Until(() => _hosts.Containers(0).Count(c => c.Running) == 4 && _silo.Running("web").All(t => t.Node == "n1") && _silo.Running("web").Count == 4,
                Settle, "all 4 replicas on n1");
            _hosts.StartDaemon(1);
            SiloProcess.Until(() => _silo.Get("v1/nodes/n2")!["status"]!.GetValue<string>() == "ready", Settle, "n2 ready again");
            SiloProcess.Until(() => _hosts.Containers(1).Count == 0, Settle, "the stale containers on n2 removed");
            Assert.Equal(4, RunningContainers());
            Assert.Equal(4, _silo.Running("web").Count);
        }
        finally
        {
            if (_hosts.Docker(1, "version").Code != 0) _hosts.StartDaemon(1);
        }
    }

    [Fact]
    public async Task ASiloKilledAndStartedAgainKeepsItsServicesAndAdoptsItsContainers()
    {
        CreateWeb(4);
        SiloProcess.Until(() => _silo.Running("web").Count == 4, Settle, "4 running tasks");
        var before = _hosts.Containers(0).Concat(_hosts.Containers(1)).Select(c => c.Id).Order().ToList();
        _silo.Kill();
        _silo.Start();
        SiloProcess.Until(() => _silo.Running("web").Count == 4, Settle, "4 running tasks after the restart");
        await Task.Delay(3000); // several heartbeats: the node grains have listed and adopted their containers
        var after = _hosts.Containers(0).Concat(_hosts.Containers(1)).Select(c => c.Id).Order().ToList();
        Assert.Equal(before, after);
        Assert.Contains("web", Ok(_silo.Orca("service", "ls")));
        Assert.Contains("n1", Ok(_silo.Orca("node", "ls")));
        // The restarted silo's scrape has every series, the zeros too: nothing pending, no node down.
        using var http = new HttpClient();
        var metrics = PrometheusText.Parse(await http.GetStringAsync($"{_silo.Url}/metrics"));
        Assert.Equal(4, metrics.Value("orca_service_replicas", ("service", "web"), ("state", "running")));
        Assert.Equal(0, metrics.Value("orca_service_replicas", ("service", "web"), ("state", "pending")));
        Assert.Equal(2, metrics.Value("orca_nodes", ("status", "ready")));
        Assert.Equal(0, metrics.Value("orca_nodes", ("status", "down")));
        Assert.Equal(0, metrics.Value("orca_nodes", ("status", "suspect")));
    }

    [Fact]
    public void ScaleDrainAndRemoveLeaveNoOrphanContainers()
    {
        CreateWeb(2);
        SiloProcess.Until(() => _silo.Running("web").Count == 2, Settle, "2 running");
        Ok(_silo.Orca("service", "scale", "web=6"));
        SiloProcess.Until(() => _silo.Running("web").Count == 6 && RunningContainers() == 6, Settle, "6 running");
        Ok(_silo.Orca("service", "scale", "web=3"));
        SiloProcess.Until(() => _silo.Running("web").Count == 3 && _hosts.Containers(0).Count + _hosts.Containers(1).Count == 3, Settle, "3 containers left");
        Ok(_silo.Orca("node", "drain", "n1"));
        SiloProcess.Until(() => _hosts.Containers(0).Count == 0 && _hosts.Containers(1).Count(c => c.Running) == 3, Settle, "n1 drained");
        Ok(_silo.Orca("service", "rm", "web"));
        SiloProcess.Until(() => _hosts.Containers(0).Count + _hosts.Containers(1).Count == 0, Settle, "no container left");
        Assert.DoesNotContain("web", Ok(_silo.Orca("service", "ls")));
    }

    [Fact]
    public void BadInputIsRefusedWithAClearMessageAndNothingIsStored()
    {
        var badReplicas = _silo.Orca("service", "create", "bad", "--image", DockerHosts.Image, "--replicas", "-1");
        Assert.Equal(2, badReplicas.Code);
        Assert.Contains("replicas must be 0 to 100000, not -1", badReplicas.Stderr);
        var badConstraint = _silo.Orca("service", "create", "bad", "--image", DockerHosts.Image, "--constraint", "rack=r1");
        Assert.Equal(2, badConstraint.Code);
        Assert.Contains("invalid constraint 'rack=r1'", badConstraint.Stderr);
        // An image of a registry on loopback where nothing listens: the daemon's question goes nowhere else.
        var badImage = _silo.Orca("service", "create", "bad", "--image", "127.0.0.1:1/nosuch/image:9");
        Assert.Equal(2, badImage.Code);
        Assert.Contains("image: 127.0.0.1:1/nosuch/image:9 is on no node and its registry does not know it", badImage.Stderr);
        var badName = _silo.Orca("service", "create", "Bad.Name", "--image", DockerHosts.Image);
        Assert.Equal(2, badName.Code);
        Assert.Contains("service name 'Bad.Name'", badName.Stderr);
        Assert.DoesNotContain("bad", Ok(_silo.Orca("service", "ls")).ToLowerInvariant().Replace("bad input", ""));

        var unreachable = _silo.Orca("node", "add", "n3", "--docker", "unix:///nonexistent/docker.sock");
        Assert.Equal(2, unreachable.Code);
        Assert.Contains("cannot reach unix:///nonexistent/docker.sock", unreachable.Stderr);
        Assert.DoesNotContain("n3", Ok(_silo.Orca("node", "ls")));

        var unknown = _silo.Orca("service", "scale", "ghost=3");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("no service 'ghost'", unknown.Stderr);
        CreateWeb(1);
        var duplicate = _silo.Orca("service", "create", "web", "--image", DockerHosts.Image);
        Assert.Equal(2, duplicate.Code);
        Assert.Contains("service web already exists", duplicate.Stderr);
    }

    [Fact]
    public async Task ARollingUpdateReplacesEveryContainerAndMetricsAndEventsReportIt()
    {
        CreateWeb(3, "--update-parallelism", "1", "--env", "VERSION=1");
        SiloProcess.Until(() => _silo.Running("web").Count == 3, Settle, "3 running");
        var before = _hosts.Containers(0).Concat(_hosts.Containers(1)).Select(c => c.Id).ToHashSet();

        using var follow = FollowEvents();
        Ok(_silo.Orca("service", "update", "web", "--env", "VERSION=2"));
        SiloProcess.Until(() => _silo.Running("web").Count == 3 && _silo.Running("web").All(t => t.Task.EndsWith(".1", StringComparison.Ordinal))
            && RunningContainers() == 3, Settle, "every task at generation 1");
        Assert.DoesNotContain(_hosts.Containers(0).Concat(_hosts.Containers(1)), c => before.Contains(c.Id));
        var (_, env, _) = _hosts.Docker(0, "inspect", "--format", "{{json .Config.Env}}", _hosts.Containers(0).First().Id);
        Assert.Contains("VERSION=2", env);

        var inspect = System.Text.Json.Nodes.JsonNode.Parse(Ok(_silo.Orca("service", "inspect", "web")))!;
        Assert.Equal(2, inspect["version"]!.GetValue<int>());
        var ls = System.Text.Json.Nodes.JsonNode.Parse(Ok(_silo.Orca("service", "ls", "--json")))!.AsArray();
        Assert.Equal(3, Assert.Single(ls)!["running"]!.GetValue<int>());

        using var http = new HttpClient();
        // A real scrape of the OpenTelemetry Prometheus exporter, read as the text format.
        var metrics = PrometheusText.Parse(await http.GetStringAsync($"{_silo.Url}/metrics"));
        Assert.Equal(3, metrics.Value("orca_service_replicas", ("service", "web"), ("state", "running")));
        Assert.Equal(3, metrics.Value("orca_service_replicas", ("service", "web"), ("state", "desired")));
        Assert.Equal(0, metrics.Value("orca_service_replicas", ("service", "web"), ("state", "pending")));
        Assert.Equal(2, metrics.Value("orca_nodes", ("status", "ready")));
        Assert.True(metrics.Where(m => m.Name == "orca_tasks_placed_total").Sum(m => m.Value) >= 6, "placements counted");
        Assert.True(metrics.Where(m => m.Name == "orca_container_starts_total" && m.Labels["outcome"] == "started").Sum(m => m.Value) >= 6);
        Assert.True(metrics.Where(m => m.Name == "orca_container_start_duration_seconds_count").Sum(m => m.Value) >= 6,
            string.Join(", ", metrics.Where(m => m.Name.StartsWith("orca_", StringComparison.Ordinal)).Select(m => m.Name).Distinct()));
        Assert.Contains(metrics, m => m.Name == "orca_task_scheduling_latency_seconds_count" && m.Labels["service"] == "web");
        Assert.Contains(metrics, m => m.Name.StartsWith("orleans_", StringComparison.Ordinal)); // Orleans' own meter
        Assert.Contains(metrics, m => m.Name.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal)); // ASP.NET Core's
        // The Orleans Dashboard, served by the same silo: its page, and its counters naming Orca's grains.
        Assert.Contains("<title>Orleans Dashboard</title>", await http.GetStringAsync($"{_silo.Url}/dashboard/"));
        Assert.Contains("Orca.Grains.Grains.ServiceGrain", await http.GetStringAsync($"{_silo.Url}/dashboard/DashboardCounters"));

        SiloProcess.Until(() => follow.Lines.Any(l => l.Contains("web.1.1") && l.Contains("running")), Settle, "orca events --follow printed the new task");
        Assert.Contains(follow.Lines, l => l.Contains("updatestarted"));
    }

    [Fact]
    public void AHostPortIsPublishedOncePerNodeAndAThirdReplicaWaitsWithItsReason()
    {
        Ok(_silo.Orca(["service", "create", "pub", "--image", DockerHosts.Image, "--replicas", "2", "--publish", "18080", .. Sleeper]));
        SiloProcess.Until(() => _silo.Running("pub").Count == 2, Settle, "2 running");
        Assert.Equal(["n1", "n2"], _silo.Running("pub").Select(t => t.Node).Order());
        var (_, bindings, _) = _hosts.Docker(0, "inspect", "--format", "{{json .HostConfig.PortBindings}}", _hosts.Containers(0).Single().Id);
        Assert.Contains("\"18080/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"18080\"}]", bindings);
        Ok(_silo.Orca("service", "scale", "pub=3"));
        SiloProcess.Until(() => Ok(_silo.Orca("events")).Contains("host port in use on 2 nodes"), Settle, "the pending reason");
        Assert.Equal(2, _silo.Running("pub").Count);
    }

    /// <summary>`orca events --follow --json` as a background process; its lines as they come.</summary>
    private Follower FollowEvents() => new(_silo.Url);

    private sealed class Follower : IDisposable
    {
        private readonly System.Diagnostics.Process _p;
        private readonly List<string> _lines = [];

        public Follower(string silo)
        {
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "orca.dll"), "--silo", silo, "events", "--follow" }) psi.ArgumentList.Add(a);
            _p = System.Diagnostics.Process.Start(psi)!;
            _p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add(e.Data); };
            _p.BeginOutputReadLine();
        }

        public List<string> Lines { get { lock (_lines) return _lines.ToList(); } }

        public void Dispose()
        {
            _p.Kill(entireProcessTree: true);
            _p.Dispose();
        }
    }

    public void Dispose()
    {
        _silo.Dispose();
        _hosts.RemoveAllContainers();
    }
}

/// <summary>Without a silo, the CLI says so.</summary>
public class NoSiloTests
{
    [Fact]
    public void TheCliSaysWhenNoSiloAnswers()
    {
        var (code, _, stderr) = Processes.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "orca.dll"), "service", "ls", "--silo", $"http://127.0.0.1:{Processes.FreePort()}"]);
        Assert.Equal(1, code);
        Assert.Contains("no silo answers at", stderr);
    }
}
