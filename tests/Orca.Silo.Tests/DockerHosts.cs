using System.Text.Json.Nodes;

namespace Orca.Silo.Tests;

/// <summary>Two real Docker daemons side by side (scripts/docker-hosts.sh), shared by the end-to-end tests, each with
/// the local image orca-test/busybox:1. Stopped when the tests end.</summary>
public sealed class DockerHosts : IDisposable
{
    public const string Image = "orca-test/busybox:1";
    private readonly string _dir = Processes.TempDir("orca-docker");

    public DockerHosts()
    {
        var (code, stdout, stderr) = Processes.Run("bash", [Path.Combine(Processes.RepoRoot(), "scripts", "docker-hosts.sh"), "start", _dir, "2"]);
        if (code != 0) throw new InvalidOperationException($"could not start the Docker hosts: {stderr}{stdout}");
        Sockets = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    public IReadOnlyList<string> Sockets { get; }
    public string Endpoint(int host) => $"unix://{Sockets[host]}";

    public (int Code, string Stdout, string Stderr) Docker(int host, params string[] args) =>
        Processes.Run("docker", new[] { "-H", Endpoint(host) }.Concat(args));

    /// <summary>Orca's containers on a host: name, id, running.</summary>
    public List<(string Name, string Id, bool Running)> Containers(int host)
    {
        var (_, stdout, _) = Docker(host, "ps", "-a", "--filter", "label=orca.task", "--format", "{{.Names}} {{.ID}} {{.State}}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' '))
            .Select(f => (f[0], f[1], f[2] == "running")).OrderBy(c => c.Item1, StringComparer.Ordinal).ToList();
    }

    public void RemoveAllContainers()
    {
        for (int h = 0; h < Sockets.Count; h++)
            foreach (var c in Containers(h)) Docker(h, "rm", "-f", c.Id);
    }

    /// <summary>Stops a daemon (its containers die with it) or starts it again with the same roots.</summary>
    public void StopDaemon(int host)
    {
        var dir = Path.GetDirectoryName(Sockets[host])!;
        var pid = File.ReadAllText(Path.Combine(dir, "docker.pid")).Trim();
        Processes.Run("kill", [pid]);
        for (int i = 0; i < 100 && Docker(host, "version").Code == 0; i++) Thread.Sleep(100);
    }

    public void StartDaemon(int host)
    {
        var dir = Path.GetDirectoryName(Sockets[host])!;
        var psi = new System.Diagnostics.ProcessStartInfo("dockerd") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--storage-driver=vfs", "--iptables=false", "--ip6tables=false", "--bridge=none", $"--label=orca.host=host{host + 1}",
                     $"--data-root={dir}/data", $"--exec-root={dir}/exec", $"--pidfile={dir}/docker.pid", $"-H=unix://{Sockets[host]}" })
            psi.ArgumentList.Add(a);
        var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardOutput.ReadToEndAsync();
        p.StandardError.ReadToEndAsync();
        for (int i = 0; i < 150 && Docker(host, "version").Code != 0; i++) Thread.Sleep(100);
    }

    public void Dispose() => Processes.Run("bash", [Path.Combine(Processes.RepoRoot(), "scripts", "docker-hosts.sh"), "stop", _dir]);
}

[CollectionDefinition("docker")]
public sealed class DockerCollection : ICollectionFixture<DockerHosts>;
