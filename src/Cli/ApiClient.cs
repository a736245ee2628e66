using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orca.Grains.Runtime;

namespace Orca.Cli;

/// <summary>An API error the user should read: the silo's message, or why no silo answered.</summary>
public sealed class ApiException(string message, int exitCode) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>The CLI's only way into Orca: the silo's REST API. Given several silos (comma-separated), a request goes
/// to the next one when one does not answer.</summary>
public sealed class ApiClient : IDisposable
{
    private readonly List<Uri> _silos;
    private int _current;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(120) };

    public ApiClient(string silos)
    {
        _silos = silos.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => new Uri(s.EndsWith('/') ? s : s + "/")).ToList();
        if (_silos.Count == 0) throw new ArgumentException("--silo: give at least one silo URL");
    }

    private Uri Base => _silos[_current];

    public static string DefaultSilo => Environment.GetEnvironmentVariable("ORCA_SILO") ?? "http://127.0.0.1:7070";

    public Task<JsonNode?> GetAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Get, path, null, ct);
    public Task<JsonNode?> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body);
    public Task<JsonNode?> PutAsync(string path, object body) => SendAsync(HttpMethod.Put, path, body);
    public Task<JsonNode?> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);
    public Task<JsonNode?> PatchAsync(string path, object body) => SendAsync(HttpMethod.Patch, path, body);

    public async Task<Stream> StreamAsync(string path, CancellationToken ct)
    {
        var response = await Failover(() => new HttpRequestMessage(HttpMethod.Get, new Uri(Base, path)), HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStreamAsync(ct);
    }

    /// <summary>Sends to the current silo; on a connection failure, to the next, until each was tried once.</summary>
    private async Task<HttpResponseMessage> Failover(Func<HttpRequestMessage> request, HttpCompletionOption completion, CancellationToken ct)
    {
        HttpRequestException? last = null;
        for (int tried = 0; tried < _silos.Count; tried++)
        {
            try
            {
                using var r = request();
                return await _http.SendAsync(r, completion, ct);
            }
            catch (HttpRequestException e)
            {
                last = e;
                _current = (_current + 1) % _silos.Count;
            }
        }
        throw Unreachable(last!);
    }

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct = default)
    {
        var response = await Failover(() =>
        {
            var request = new HttpRequestMessage(method, new Uri(Base, path));
            if (body is not null) request.Content = JsonContent.Create(body, options: OrcaJson.Options);
            return request;
        }, HttpCompletionOption.ResponseContentRead, ct);
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                string message = text;
                try
                {
                    message = JsonNode.Parse(text)?["error"]?.GetValue<string>() ?? text;
                }
                catch (JsonException) { }
                throw new ApiException(message, (int)response.StatusCode is 400 or 404 or 409 ? ExitCodes.BadInput : ExitCodes.Failed);
            }
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
    }

    private ApiException Unreachable(Exception e) =>
        new($"no silo answers at {string.Join(", ", _silos)} ({e.Message}); start one with `orca silo run` or point --silo at one", ExitCodes.Failed);

    public void Dispose() => _http.Dispose();
}
