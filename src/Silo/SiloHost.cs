using System.Text.Json;
using Orca.Grains.Grains;
using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Silo.Api;
using Orca.Silo.Cluster;
using Orca.Silo.Docker;
using Orca.Silo.Persistence;
using Orca.Silo.Runtime;

namespace Orca.Silo;

public sealed record SiloOptions(string Database, string Host = "127.0.0.1", int Port = 7070)
{
    /// <summary>The cluster this silo joins (the database must be PostgreSQL shared by its silos); null: a single silo.</summary>
    public string? ClusterName { get; init; }

    /// <summary>The URL other silos reach this one at (default http://HOST:PORT).</summary>
    public string? Advertise { get; init; }

    /// <summary>The secret silos of one cluster share for their calls to each other.</summary>
    public string? Secret { get; init; }

    public OrcaOptions Cluster { get; init; } = new();

    /// <summary>Idle activations without timers are deactivated after this long.</summary>
    public TimeSpan IdleDeactivation { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// A silo: the grains on real time, state in SQLite or PostgreSQL, Docker hosts through the Engine API, and the REST
/// API on Kestrel. On start it resumes every grain it has state for, so a silo killed and started again carries on
/// with the same services and adopts the containers still running.
/// </summary>
public sealed class SiloHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SiloGrainRuntime _runtime;
    private readonly DockerDriverFactory _drivers;
    private readonly SqlGrainStateStore _store;
    private readonly CancellationTokenSource _stop = new();
    private Task? _collector;

    private SiloCluster? _cluster;

    private SiloHost(WebApplication app, SiloGrainRuntime runtime, DockerDriverFactory drivers, SqlGrainStateStore store)
    {
        _app = app;
        _runtime = runtime;
        _drivers = drivers;
        _store = store;
    }

    public string Url => _app.Urls.First();
    public SiloGrainRuntime Runtime => _runtime;
    public SiloCluster? Cluster => _cluster;
    public string Database => _store.Description;

    public static async Task<SiloHost> StartAsync(SiloOptions options)
    {
        var store = await SqlGrainStateStore.OpenAsync(options.Database);
        var events = new EventHub();
        var drivers = new DockerDriverFactory();
        var runtime = new SiloGrainRuntime(OrcaGrainTypes.Registry(), new GrainServices(store, drivers), events, options.Cluster, TimeProvider.System);
        drivers.Grains = runtime;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            foreach (var c in OrcaJson.Options.Converters) o.SerializerOptions.Converters.Add(c);
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        });
        var app = builder.Build();
        SiloApi.Map(app, runtime, store, events);
        var host = new SiloHost(app, runtime, drivers, store);
        if (options.ClusterName is { } name)
        {
            if (string.IsNullOrEmpty(options.Secret)) throw new ArgumentException("--secret (or ORCA_CLUSTER_SECRET) is required in a cluster of silos");
            if (!store.IsPostgres) throw new ArgumentException("a cluster of silos needs a shared PostgreSQL database: --db \"Host=…;Database=…\"");
            host._cluster = new SiloCluster(new ClusterOptions(name, options.Advertise ?? $"http://{options.Host}:{options.Port}", options.Secret), runtime, store);
            runtime.Router = host._cluster;
            ClusterApi.Map(app, host._cluster, runtime);
            await app.StartAsync();                    // other silos can call in before this one resumes its grains
            await host._cluster.StartAsync();
            if (host._cluster.View[0] == host._cluster.Address) await host.ResumeAsync();
        }
        else
        {
            app.MapGet("/v1/cluster", () => Results.Ok(new { cluster = (string?)null, self = $"http://{options.Host}:{options.Port}", view = Array.Empty<string>(), fenced = false, silos = Array.Empty<object>() }));
            await host.ResumeAsync();
            await app.StartAsync();
        }
        host._collector = host.CollectIdleAsync(options.IdleDeactivation);
        return host;
    }

    /// <summary>Wakes the cluster grain (which wakes every node grain) and every service (which re-announces its tasks).</summary>
    private async Task ResumeAsync()
    {
        await _runtime.GetGrain<IClusterGrain>(IClusterGrain.Key).ListNodesAsync();
        foreach (var service in await _store.ListKeysAsync("service")) await _runtime.GetGrain<IServiceGrain>(service).GetAsync();
    }

    private async Task CollectIdleAsync(TimeSpan idle)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMinutes(1), _stop.Token);
                await _runtime.CollectIdleAsync(idle);
            }
        }
        catch (OperationCanceledException) { }
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_cluster is not null) await _cluster.DisposeAsync();
        await _app.StopAsync();
        await _runtime.DisposeAsync();
        await _drivers.DisposeAsync();
        await _app.DisposeAsync();
    }
}
