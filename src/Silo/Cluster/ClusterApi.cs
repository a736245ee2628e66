using System.Text.Json;
using Orca.Grains.Runtime;
using Orca.Silo.Runtime;

namespace Orca.Silo.Cluster;

/// <summary>The silo-to-silo endpoint (grain calls, with the cluster secret) and the cluster view for users.</summary>
public static class ClusterApi
{
    public static void Map(WebApplication app, SiloCluster cluster, SiloGrainRuntime runtime)
    {
        app.MapPost("/internal/v1/call", async (HttpContext http, RemoteCall call) =>
        {
            if (http.Request.Headers[RemoteCalls.SecretHeader] != cluster.Remote.Secret)
                return Results.Json(new { error = "wrong or missing cluster secret" }, statusCode: 403);
            var type = runtime.Registry.Interfaces.FirstOrDefault(t => t.Name == call.Interface);
            var method = type?.GetMethod(call.Method);
            if (type is null || method is null) return Results.Json(RemoteCalls.Fail(new ArgumentException($"no grain method {call.Interface}.{call.Method}")));
            var parameters = method.GetParameters();
            var args = call.Args.Select((a, i) => a.Deserialize(parameters[i].ParameterType, OrcaJson.Options)).ToArray();
            try
            {
                // Owned elsewhere in this silo's view: pass it on once, then run it where it lands.
                bool forwarded = http.Request.Headers.ContainsKey(RemoteCalls.HopHeader);
                if (!forwarded && cluster.RemoteOwner(type, call.Key) is { } owner)
                    return Results.Json(new RemoteReply(await cluster.Remote.SendAsync(owner, call, forwarded: true), null, null), OrcaJson.Options);
                return Results.Json(new RemoteReply(await cluster.LocalAsync(type, call.Key, method, args), null, null), OrcaJson.Options);
            }
            catch (Exception e)
            {
                return Results.Json(RemoteCalls.Fail(e), OrcaJson.Options);
            }
        });
        app.MapGet("/v1/cluster", async () =>
        {
            // The membership table when the database answers; this silo's own view (and whether it is fenced) always.
            List<SiloRow>? rows = null;
            string? error = null;
            try
            {
                rows = await cluster.Membership.ListAsync();
            }
            catch (Exception e)
            {
                error = $"the membership table cannot be read: {e.Message}";
            }
            return Results.Ok(new
            {
                cluster = cluster.Membership.Cluster,
                self = cluster.Address,
                view = cluster.View,
                fenced = cluster.Fenced,
                error,
                silos = (rows ?? []).Select(r => new { r.Address, r.Generation, status = r.Status.ToString().ToLowerInvariant(), r.StartedAt, r.LastHeartbeat, r.Activations }),
            });
        });
    }
}
