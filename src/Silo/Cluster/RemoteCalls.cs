using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Orca.Grains.Runtime;
using Orca.Grains.Scheduling;

namespace Orca.Silo.Cluster;

/// <summary>A grain call crossing to another silo.</summary>
public sealed record RemoteCall(string Interface, string Key, string Method, JsonElement[] Args);

public sealed record RemoteReply(JsonElement? Result, string? Error, string? ErrorType);

/// <summary>
/// Silo-to-silo grain calls over HTTP: JSON arguments and result, a shared cluster secret in a header. A call whose
/// silo does not answer is retried (a bounded number of times) on the grain's owner under the refreshed membership,
/// which is the failover to the grain's new activation.
/// </summary>
public sealed class RemoteCalls(string secret)
{
    public const string SecretHeader = "X-Orca-Cluster-Secret";
    private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = TimeSpan.FromSeconds(30) };

    public string Secret { get; } = secret;

    public static RemoteCall Encode(Type grainInterface, string key, MethodInfo method, object?[] args)
    {
        var types = method.GetParameters().Select(p => p.ParameterType).ToArray();
        return new RemoteCall(grainInterface.Name, key, method.Name,
            args.Select((a, i) => JsonSerializer.SerializeToElement(a, types[i], OrcaJson.Options)).ToArray());
    }

    public const string HopHeader = "X-Orca-Forwarded";

    /// <param name="forwarded">The call was passed on once already: the receiver runs it wherever it lands.</param>
    public async Task<JsonElement?> SendAsync(string silo, RemoteCall call, bool forwarded = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{silo}/internal/v1/call") { Content = JsonContent.Create(call, options: OrcaJson.Options) };
        request.Headers.Add(SecretHeader, Secret);
        if (forwarded) request.Headers.Add(HopHeader, "1");
        using var response = await _http.SendAsync(request);
        var reply = await response.Content.ReadFromJsonAsync<RemoteReply>(OrcaJson.Options) ?? throw new InvalidOperationException($"{silo} gave no reply");
        if (reply.Error is not null) throw Rethrow(reply.ErrorType, reply.Error);
        return reply.Result;
    }

    /// <summary>The exception a caller on this silo would have seen had the grain been local.</summary>
    private static Exception Rethrow(string? type, string message) => type switch
    {
        nameof(ConstraintException) => new ConstraintException(message),
        nameof(ArgumentException) => new ArgumentException(message),
        nameof(KeyNotFoundException) => new KeyNotFoundException(message),
        nameof(InconsistentStateException) => new InconsistentStateException(message),
        _ => new InvalidOperationException(message),
    };

    public static RemoteReply Fail(Exception e) => new(null, e.Message, e switch
    {
        ConstraintException => nameof(ConstraintException),
        KeyNotFoundException => nameof(KeyNotFoundException),
        ArgumentException => nameof(ArgumentException),
        InconsistentStateException => nameof(InconsistentStateException),
        _ => nameof(InvalidOperationException),
    });
}
