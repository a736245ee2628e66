using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Web;
using Docker.DotNet;
using Docker.DotNet.X509;
using Orca.Grains.Runtime;

namespace Orca.Silo.Docker;

/// <summary>
/// A Docker host as users name it — unix:///path, tcp://host:port, or tcp://host:port?tlsca=…&amp;tlscert=…&amp;tlskey=…
/// for TLS with a client certificate — turned into a Docker.DotNet client (the maintained Docker.DotNet.Enhanced fork:
/// it speaks Engine API 1.41 to Debian's dockerd 20.10 and, unlike Docker.DotNet 3.125, has the distribution endpoint
/// that the image check asks). A TLS server must present a certificate signed by the given CA <em>for the host name
/// of the endpoint</em>, as the docker CLI insists: a certificate for 127.0.0.1 does not serve tcp://localhost.
/// </summary>
public static class DockerEndpoint
{
    /// <summary>The Engine API version Orca speaks (Docker 20.10).</summary>
    public static readonly Version ApiVersion = new(1, 41);

    public static IDockerClient Connect(string endpoint, TimeSpan? timeout = null)
    {
        var q = endpoint.IndexOf('?');
        Uri uri;
        try
        {
            uri = new Uri(q < 0 ? endpoint : endpoint[..q]);
        }
        catch (UriFormatException)
        {
            throw new ArgumentException($"docker: '{endpoint}' is not an endpoint; expected unix:///path/to/docker.sock or tcp://host:port");
        }
        if (uri.Scheme is not ("unix" or "tcp"))
            throw new ArgumentException($"docker: '{endpoint}': expected unix:///path/to/docker.sock or tcp://host:port");
        var builder = new DockerClientBuilder().WithEndpoint(uri).WithApiVersion(ApiVersion).WithTimeout(timeout ?? TimeSpan.FromSeconds(30));
        if (q >= 0)
        {
            var query = HttpUtility.ParseQueryString(endpoint[(q + 1)..]);
            if (query["tlscert"] is not { } cert || query["tlskey"] is not { } key || query["tlsca"] is not { } caFile)
                throw new ArgumentException($"docker: '{endpoint}': TLS needs tlsca, tlscert and tlskey");
            X509Certificate2 client, ca;
            try
            {
                client = X509Certificate2.CreateFromPemFile(cert, key);
                ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new ArgumentException($"docker: cannot read the TLS files of '{endpoint}': {e.Message}");
            }
            builder = builder.WithAuthProvider(new CertificateCredentials(client) { ServerCertificateValidationCallback = Verify(ca) });
        }
        return builder.Build();
    }

    /// <summary>The server's certificate must name the host we dialled and chain to the given CA (and only to it).</summary>
    private static RemoteCertificateValidationCallback Verify(X509Certificate2 ca) => (_, certificate, _, errors) =>
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = new X509Certificate2(certificate);
        return chain.Build(presented);
    };

    /// <summary>The address a node's tasks are reached at, for Orca's HTTP and TCP health checks: the host of a
    /// tcp:// endpoint; 127.0.0.1 for a unix socket (the engine runs on the silo's machine).</summary>
    public static string NodeAddress(string endpoint)
    {
        var q = endpoint.IndexOf('?');
        return Uri.TryCreate(q < 0 ? endpoint : endpoint[..q], UriKind.Absolute, out var uri) && uri.Scheme == "tcp" ? uri.DnsSafeHost : "127.0.0.1";
    }

    /// <summary>Runs a call to a Docker host; whatever goes wrong becomes a <see cref="ContainerDriverException"/>:
    /// the host not answering (or refusing our TLS) is Unreachable, an unknown image ImageNotFound, the rest Failed.</summary>
    public static async Task<T> Call<T>(string endpoint, string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DockerImageNotFoundException e)
        {
            throw new ContainerDriverException(DriverFailure.ImageNotFound, $"{what}: {Message(e)}");
        }
        catch (DockerApiException e)
        {
            throw new DockerCallException(e.StatusCode, $"{what}: {Message(e)}");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException or TimeoutException or TaskCanceledException
                                      or System.Security.Authentication.AuthenticationException)
        {
            var why = e.InnerException is SocketException socket ? socket.Message : e.Message;
            throw new ContainerDriverException(DriverFailure.Unreachable, $"Docker at {endpoint} did not answer: {why}");
        }
    }

    public static Task Call(string endpoint, string what, Func<Task> call) => Call(endpoint, what, async () => { await call(); return 0; });

    /// <summary>The daemon's own message ("no such image: …"), not the library's wrapping of it.</summary>
    private static string Message(DockerApiException e)
    {
        var body = e.ResponseBody ?? "";
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(body)?["message"]?.GetValue<string>() is { } m) return m;
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return string.IsNullOrWhiteSpace(body) ? $"{(int)e.StatusCode} {e.StatusCode}" : body.Trim();
    }
}

/// <summary>Docker answered with an error status.</summary>
public sealed class DockerCallException(HttpStatusCode status, string message) : ContainerDriverException(DriverFailure.Failed, message)
{
    public HttpStatusCode Status { get; } = status;
}
