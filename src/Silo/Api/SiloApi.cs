using System.Text.Json;
using Orca.Grains.Grains;
using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orleans;
using Orleans.Runtime;

namespace Orca.Silo.Api;

/// <summary>The REST API: nodes, services, tasks, events, health and metrics. JSON in and out; a request the user
/// got wrong is 400 with a message naming the field, an unknown id 404, a conflicting write 409.</summary>
public static class SiloApi
{
    public static void Map(WebApplication app, SiloOptions options)
    {
        var runtime = app.Services.GetRequiredService<IGrainFactory>();
        var events = app.Services.GetRequiredService<EventHub>();
        var cluster = () => runtime.GetGrain<IClusterGrain>(IClusterGrain.Key);
        app.MapGet("/healthz", () => Results.Text("ok\n"));

        app.MapPost("/v1/nodes", async (NodeRequest request) => await Guard(async () =>
        {
            var info = await runtime.GetGrain<INodeGrain>(NodeIdOf(request)).JoinAsync(ApiRequests.ToJoin(request));
            return Results.Created($"/v1/nodes/{info.Id}", info);
        }));
        app.MapGet("/v1/nodes", async () => Results.Ok(await cluster().ListNodesAsync()));
        app.MapGet("/v1/nodes/{id}", async (string id) => await cluster().GetNodeAsync(id) is { } n ? Results.Ok(n) : NotFound($"no node '{id}'"));
        app.MapMethods("/v1/nodes/{id}", ["PATCH"], async (string id, NodeUpdateRequest request) => await Guard(async () =>
            Results.Ok(await cluster().UpdateNodeAsync(id, ApiRequests.ToChange(request)))));
        app.MapDelete("/v1/nodes/{id}", async (string id, bool? force) => await Guard(async () =>
        {
            await cluster().RemoveNodeAsync(id, force ?? false);
            return Results.NoContent();
        }));
        foreach (var (verb, availability) in new[] { ("drain", NodeAvailability.Drain), ("activate", NodeAvailability.Active), ("pause", NodeAvailability.Pause) })
            app.MapPost($"/v1/nodes/{{id}}/{verb}", async (string id) => await Guard(async () => Results.Ok(await cluster().SetAvailabilityAsync(id, availability))));

        app.MapPost("/v1/services", async (ServiceRequest request) => await Guard(async () =>
        {
            var spec = ApiRequests.ToSpec(request);
            ServiceSpecValidator.Validate(spec);
            var info = await runtime.GetGrain<IServiceGrain>(spec.Name).CreateAsync(spec);
            return Results.Created($"/v1/services/{spec.Name}", info);
        }));
        app.MapGet("/v1/services", async () => Results.Ok(await Services(runtime)));
        app.MapGet("/v1/services/{name}", async (string name) =>
            await runtime.GetGrain<IServiceGrain>(name).GetAsync() is { } s ? Results.Ok(s) : NotFound($"no service '{name}'"));
        app.MapPut("/v1/services/{name}", async (string name, ServiceRequest request) => await Guard(async () =>
        {
            var grain = runtime.GetGrain<IServiceGrain>(name);
            var current = await grain.GetAsync() ?? throw new KeyNotFoundException($"no service '{name}'");
            var spec = ApiRequests.ToSpec(request with { Name = name }, current.Spec);
            ServiceSpecValidator.Validate(spec);
            return Results.Ok(await grain.UpdateAsync(spec));
        }));
        app.MapPost("/v1/services/{name}/scale", async (string name, ScaleRequest request) => await Guard(async () =>
            Results.Ok(await runtime.GetGrain<IServiceGrain>(name).ScaleAsync(request.Replicas ?? throw new ArgumentException("replicas: required")))));
        app.MapPost("/v1/services/{name}/rollback", async (string name, RollbackRequest? request) => await Guard(async () =>
            Results.Ok(await runtime.GetGrain<IServiceGrain>(name).RollbackAsync(request?.Version))));
        app.MapGet("/v1/services/{name}/deployments", async (string name) =>
        {
            var grain = runtime.GetGrain<IServiceGrain>(name);
            return await grain.GetAsync() is null ? NotFound($"no service '{name}'") : Results.Ok(await grain.ListDeploymentsAsync());
        });
        app.MapDelete("/v1/services/{name}", async (string name) => await Guard(async () =>
        {
            await runtime.GetGrain<IServiceGrain>(name).RemoveAsync();
            return Results.NoContent();
        }));

        app.MapGet("/v1/tasks", async (string? service, string? node, string? state) =>
        {
            var tasks = new List<object>();
            foreach (var s in await Services(runtime))
            {
                if (service is not null && s.Spec.Name != service) continue;
                foreach (var t in s.Tasks)
                {
                    if (node is not null && t.Node != node) continue;
                    if (state is not null && !string.Equals(t.State.Lower(), state, StringComparison.OrdinalIgnoreCase)) continue;
                    tasks.Add(new { service = s.Spec.Name, task = t });
                }
            }
            return Results.Ok(tasks);
        });

        app.MapGet("/v1/events", async (long? since, int? wait, CancellationToken ct) =>
        {
            var list = events.Since(since ?? 0);
            if (list.Count == 0 && wait is > 0)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(Math.Min(wait.Value, 60)));
                try
                {
                    await foreach (var e in events.FollowAsync(since ?? 0, timeout.Token))
                    {
                        list.Add(e);
                        break;
                    }
                }
                catch (OperationCanceledException) { }
            }
            return Results.Ok(list);
        });
        app.MapGet("/v1/events/stream", async (HttpContext http, long? since) =>
        {
            http.Response.ContentType = "text/event-stream";
            await foreach (var e in events.FollowAsync(since ?? 0, http.RequestAborted))
            {
                await http.Response.WriteAsync($"id: {e.Seq}\ndata: {JsonSerializer.Serialize(e, OrcaJson.Options)}\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
            }
        });
        app.MapGet("/v1/activations", async () =>
        {
            // The grains this silo hosts, as Orleans' grain ids ("service/web", "scheduler/scheduler").
            var self = app.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            var stats = await runtime.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null, [self]);
            return Results.Ok(stats.Where(s => IsOrcaGrain(s.GrainType))
                .Select(s => new { silo = s.SiloAddress.ToString(), grain = s.GrainId.ToString() })
                .OrderBy(s => s.grain, StringComparer.Ordinal));
        });
        app.MapGet("/v1/cluster", async () =>
        {
            var management = runtime.GetGrain<IManagementGrain>(0);
            var hosts = await management.GetDetailedHosts(onlyActive: false);
            var stats = await management.GetSimpleGrainStatistics();
            return Results.Ok(new
            {
                cluster = options.ClusterName,
                self = $"http://{options.Host}:{options.Port}",
                active = hosts.Count(h => h.Status == SiloStatus.Active),
                silos = hosts.OrderBy(h => h.SiloAddress.ToString(), StringComparer.Ordinal).Select(h => new
                {
                    address = h.SiloAddress.ToString(),
                    name = h.SiloName,
                    status = h.Status.ToString().ToLowerInvariant(),
                    since = h.StartTime,
                    lastIAmAlive = h.IAmAliveTime,
                    activations = stats.Where(s => s.SiloAddress.Equals(h.SiloAddress) && IsOrcaGrain(s.GrainType))
                        .Sum(s => s.ActivationCount),
                }),
            });
        });
    }

    private static IResult NotFound(string message) => Results.Json(new { error = message }, statusCode: 404);

    /// <summary>Maps what went wrong to a status: bad input 400, unknown 404, conflict 409, host unreachable 400.</summary>
    private static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (KeyNotFoundException e)
        {
            return NotFound(e.Message);
        }
        catch (ArgumentException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: 400);
        }
        catch (InvalidOperationException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: 409);
        }
        catch (ContainerDriverException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: 400);
        }
    }

    private static string NodeIdOf(NodeRequest r) =>
        Names.IsValid(r.Id) ? r.Id! : throw new ArgumentException($"id: '{r.Id}' is not a node id: {Names.Rule}");

    /// <summary>Orca's grains among Orleans' statistics (which also count Orleans' own system grains).</summary>
    private static bool IsOrcaGrain(string grainType) => grainType.StartsWith("Orca.", StringComparison.Ordinal);

    private static async Task<List<ServiceInfo>> Services(IGrainFactory runtime)
    {
        var list = new List<ServiceInfo>();
        foreach (var name in await runtime.GetGrain<IClusterGrain>(IClusterGrain.Key).ListServicesAsync())
            if (await runtime.GetGrain<IServiceGrain>(name).GetAsync() is { } s) list.Add(s);
        return list;
    }

}
