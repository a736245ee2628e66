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

/// <summary>The CLI's only way into Orca: the silo's REST API.</summary>
public sealed class ApiClient(string silo) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(silo.EndsWith('/') ? silo : silo + "/"), Timeout = TimeSpan.FromSeconds(120) };

    public static string DefaultSilo => Environment.GetEnvironmentVariable("ORCA_SILO") ?? "http://127.0.0.1:7070";

    public Task<JsonNode?> GetAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Get, path, null, ct);
    public Task<JsonNode?> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body);
    public Task<JsonNode?> PutAsync(string path, object body) => SendAsync(HttpMethod.Put, path, body);
    public Task<JsonNode?> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    public async Task<Stream> StreamAsync(string path, CancellationToken ct)
    {
        try
        {
            var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsStreamAsync(ct);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
    }

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, options: OrcaJson.Options);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
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
        new($"no silo answers at {_http.BaseAddress} ({e.Message}); start one with `orca silo run` or point --silo at one", ExitCodes.Failed);

    public void Dispose() => _http.Dispose();
}
