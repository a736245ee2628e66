namespace Orca.Silo.Tests;

/// <summary>A Docker host that speaks only TLS with client certificates (scripts/docker-tls-host.sh).</summary>
public sealed class TlsDockerHost : IDisposable
{
    private readonly string _dir = Processes.TempDir("orca-tls");

    public TlsDockerHost()
    {
        var (code, stdout, stderr) = Processes.Run("bash", [Path.Combine(Processes.RepoRoot(), "scripts", "docker-tls-host.sh"), "start", _dir, Processes.FreePort().ToString()]);
        if (code != 0) throw new InvalidOperationException($"could not start the TLS Docker host: {stderr}{stdout}");
        Endpoint = stdout.Trim();
    }

    /// <summary>tcp://127.0.0.1:PORT?tlsca=…&amp;tlscert=…&amp;tlskey=…</summary>
    public string Endpoint { get; }
    public string PlainEndpoint => Endpoint[..Endpoint.IndexOf('?')];

    /// <summary>One of the certificate files the script made (ca.pem, cert.pem, key.pem).</summary>
    public string File(string name) => Path.Combine(_dir, name);

    public void Dispose() => Processes.Run("bash", [Path.Combine(Processes.RepoRoot(), "scripts", "docker-tls-host.sh"), "stop", _dir]);
}

public sealed class TlsTests(TlsDockerHost host) : IClassFixture<TlsDockerHost>
{
    [Fact]
    public void ANodeBehindTlsWithClientCertificatesRunsTasksAndWithoutThemIsRefused()
    {
        using var silo = new SiloProcess();
        var refused = silo.Orca("node", "add", "plain", "--docker", host.PlainEndpoint);
        Assert.Equal(2, refused.Code);
        Assert.Contains($"cannot reach {host.PlainEndpoint}", refused.Stderr);

        // The server's certificate is issued for 127.0.0.1: dialled as localhost it must be refused, as the docker CLI
        // refuses it, although the CA and the client certificate are right.
        var misnamed = host.Endpoint.Replace("tcp://127.0.0.1:", "tcp://localhost:");
        var wrongName = silo.Orca("node", "add", "misnamed", "--docker", misnamed);
        Assert.Equal(2, wrongName.Code);
        Assert.Contains("cannot reach tcp://localhost:", wrongName.Stderr);
        Assert.DoesNotContain("misnamed", silo.Orca("node", "ls").Stdout);
        var (cli, _, cliErr) = Processes.Run("docker", ["--tlsverify", $"--tlscacert={host.File("ca.pem")}", $"--tlscert={host.File("cert.pem")}",
            $"--tlskey={host.File("key.pem")}", "-H", misnamed[..misnamed.IndexOf('?')], "version"]);
        Assert.True(cli != 0, "the docker CLI refuses it too");
        Assert.Contains("certificate", cliErr);

        var added = silo.Orca("node", "add", "secure", "--docker", host.Endpoint);
        Assert.True(added.Code == 0, added.Stdout + added.Stderr);
        var created = silo.Orca("service", "create", "tls", "--image", DockerHosts.Image, "--replicas", "2", "--", "sleep", "3600");
        Assert.True(created.Code == 0, created.Stdout + created.Stderr);
        SiloProcess.Until(() => silo.Running("tls").Count == 2, TimeSpan.FromSeconds(40), "2 tasks running over TLS");
        Assert.Equal(0, silo.Orca("service", "rm", "tls").Code);
    }
}
