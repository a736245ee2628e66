using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orca.Grains.Runtime;

namespace Orca.Silo.Docker;

/// <summary>TLS material for a TCP Docker endpoint (client certificate and the CA that signed the daemon's).</summary>
public sealed record DockerTls(string CaFile, string CertFile, string KeyFile);

/// <summary>
/// A small Docker Engine API client over HttpClient: a unix socket (unix:///var/run/docker.sock) or TCP
/// (tcp://host:2375, or 2376 with TLS client certificates). The API version is negotiated from /version.
/// Transport failures become <see cref="ContainerDriverException"/> (Unreachable); API errors carry Docker's message.
/// </summary>
public sealed class DockerClient : IDisposable
{
    private const string MinimumApi = "1.40";
    private readonly HttpClient _http;
    private readonly HttpClient _streaming;
    private string? _version;

    public DockerClient(string endpoint, DockerTls? tls = null, TimeSpan? timeout = null)
    {
        Endpoint = endpoint;
        var (handler, baseAddress) = Handler(endpoint, tls);
        _http = new HttpClient(handler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        _streaming = new HttpClient(handler, disposeHandler: true) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Endpoint { get; }

    private static (HttpMessageHandler, Uri) Handler(string endpoint, DockerTls? tls)
    {
        var uri = new Uri(endpoint);
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(3) };
        if (uri.Scheme == "unix")
        {
            var path = uri.LocalPath;
            handler.ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
            return (handler, new Uri("http://docker/"));
        }
        if (uri.Scheme is not ("tcp" or "http" or "https"))
            throw new ArgumentException($"Docker endpoint '{endpoint}': expected unix:///path/to/docker.sock or tcp://host:port");
        if (tls is not null)
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(tls.CaFile);
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile)];
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, chain, errors) =>
            {
                if (cert is null || chain is null) return false;
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(cert));
            };
            return (handler, new Uri($"https://{uri.Host}:{uri.Port}/"));
        }
        return (handler, new Uri($"http://{uri.Host}:{uri.Port}/"));
    }

    /// <summary>The API version both sides speak: the daemon's, unless it is older than Orca needs.</summary>
    public async Task<string> NegotiateAsync(CancellationToken ct = default)
    {
        if (_version is not null) return _version;
        var json = await SendJsonAsync(HttpMethod.Get, "version", null, versioned: false, ct);
        var api = json?["ApiVersion"]?.GetValue<string>() ?? MinimumApi;
        if (Version.Parse(api) < Version.Parse(MinimumApi))
            throw new ContainerDriverException(DriverFailure.Failed, $"Docker at {Endpoint} speaks API {api}; Orca needs {MinimumApi} or newer");
        return _version = api;
    }

    public async Task PingAsync(CancellationToken ct = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "_ping"), ct);
        await EnsureOk(response, "ping", ct);
    }

    public async Task<JsonNode> InfoAsync(CancellationToken ct = default) => (await SendJsonAsync(HttpMethod.Get, "info", null, true, ct))!;

    public async Task<bool> ImageExistsAsync(string image, CancellationToken ct = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await Path($"images/{Uri.EscapeDataString(image)}/json")), ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await EnsureOk(response, $"inspect image {image}", ct);
        return true;
    }

    /// <summary>Asks the image's registry, through the daemon, whether it knows the image (its manifest; nothing is
    /// pulled). An unknown image or a registry that cannot be reached fails with <see cref="DriverFailure.ImageNotFound"/>.</summary>
    public async Task RegistryKnowsAsync(string image, CancellationToken ct = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await Path($"distribution/{image}/json")), ct);
        if (!response.IsSuccessStatusCode)
            throw new ContainerDriverException(DriverFailure.ImageNotFound, $"image {image}: {await ErrorMessage(response, ct)}");
    }

    /// <summary>Pulls an image, reporting each progress line; a registry that cannot be reached or an unknown image
    /// fails with <see cref="DriverFailure.ImageNotFound"/>.</summary>
    public async Task PullAsync(string image, Action<string>? progress = null, CancellationToken ct = default)
    {
        var (name, tag) = SplitImage(image);
        using var request = new HttpRequestMessage(HttpMethod.Post, await Path($"images/create?fromImage={Uri.EscapeDataString(name)}&tag={Uri.EscapeDataString(tag)}"));
        using var response = await SendAsync(request, ct, HttpCompletionOption.ResponseHeadersRead, _streaming);
        if (!response.IsSuccessStatusCode)
            throw new ContainerDriverException(DriverFailure.ImageNotFound, $"image {image}: {await ErrorMessage(response, ct)}");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0) continue;
            var node = JsonNode.Parse(line);
            if (node?["error"]?.GetValue<string>() is { } error) throw new ContainerDriverException(DriverFailure.ImageNotFound, $"image {image}: {error}");
            if (node?["status"]?.GetValue<string>() is { } status) progress?.Invoke(status);
        }
    }

    public async Task<string> CreateContainerAsync(string name, JsonObject body, CancellationToken ct = default)
    {
        var json = await SendJsonAsync(HttpMethod.Post, $"containers/create?name={Uri.EscapeDataString(name)}", body, true, ct);
        return json!["Id"]!.GetValue<string>();
    }

    public async Task StartAsync(string id, CancellationToken ct = default) => await Simple(HttpMethod.Post, $"containers/{id}/start", $"start {id}", ct);

    public async Task StopAsync(string id, TimeSpan grace, CancellationToken ct = default) =>
        await Simple(HttpMethod.Post, $"containers/{id}/stop?t={(int)Math.Ceiling(grace.TotalSeconds)}", $"stop {id}", ct);

    public async Task KillAsync(string id, CancellationToken ct = default) => await Simple(HttpMethod.Post, $"containers/{id}/kill", $"kill {id}", ct);

    public async Task RemoveAsync(string id, CancellationToken ct = default) =>
        await Simple(HttpMethod.Delete, $"containers/{id}?force=true&v=true", $"remove {id}", ct);

    public async Task<JsonNode?> InspectAsync(string id, CancellationToken ct = default)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, await Path($"containers/{id}/json")), ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureOk(response, $"inspect {id}", ct);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>All containers (running or not) carrying every given label.</summary>
    public async Task<JsonArray> ListAsync(IEnumerable<string> labels, CancellationToken ct = default)
    {
        var filters = JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = labels.ToArray() });
        var json = await SendJsonAsync(HttpMethod.Get, $"containers/json?all=true&filters={Uri.EscapeDataString(filters)}", null, true, ct);
        return json!.AsArray();
    }

    /// <summary>The container event stream (die, oom, start), one JSON object a line, until cancelled or cut.</summary>
    public async IAsyncEnumerable<JsonNode> EventsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var filters = JsonSerializer.Serialize(new Dictionary<string, string[]> { ["type"] = ["container"], ["event"] = ["die", "oom", "start"] });
        using var request = new HttpRequestMessage(HttpMethod.Get, await Path($"events?filters={Uri.EscapeDataString(filters)}"));
        using var response = await SendAsync(request, ct, HttpCompletionOption.ResponseHeadersRead, _streaming);
        await EnsureOk(response, "events", ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
            if (line.Length > 0 && JsonNode.Parse(line) is { } e) yield return e;
    }

    public static (string Name, string Tag) SplitImage(string image)
    {
        int slash = image.LastIndexOf('/');
        int colon = image.LastIndexOf(':');
        return colon > slash ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    private async Task<string> Path(string relative) => $"v{await NegotiateAsync()}/{relative}";

    private async Task Simple(HttpMethod method, string relative, string what, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(method, await Path(relative)), ct);
        if (response.StatusCode is HttpStatusCode.NotModified) return; // already started / stopped
        await EnsureOk(response, what, ct);
    }

    private async Task<JsonNode?> SendJsonAsync(HttpMethod method, string relative, JsonNode? body, bool versioned, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, versioned ? await Path(relative) : relative);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await SendAsync(request, ct);
        await EnsureOk(response, $"{method} {relative}", ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, HttpClient? client = null)
    {
        try
        {
            return await (client ?? _http).SendAsync(request, completion, ct);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            var why = e.InnerException is SocketException socket ? socket.Message : e.Message;
            throw new ContainerDriverException(DriverFailure.Unreachable, $"Docker at {Endpoint} did not answer: {why}");
        }
    }

    private static async Task EnsureOk(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var message = await ErrorMessage(response, ct);
        var failure = response.StatusCode == HttpStatusCode.NotFound && message.Contains("image", StringComparison.OrdinalIgnoreCase)
            ? DriverFailure.ImageNotFound : DriverFailure.Failed;
        throw new DockerApiException(failure, response.StatusCode, $"{what}: {message}");
    }

    private static async Task<string> ErrorMessage(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            return JsonNode.Parse(text)?["message"]?.GetValue<string>() ?? $"{(int)response.StatusCode} {text}".Trim();
        }
        catch (JsonException)
        {
            return $"{(int)response.StatusCode} {text}".Trim();
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _streaming.Dispose();
    }
}

/// <summary>Docker answered with an error status.</summary>
public sealed class DockerApiException(DriverFailure failure, HttpStatusCode status, string message) : ContainerDriverException(failure, message)
{
    public HttpStatusCode Status { get; } = status;
}
