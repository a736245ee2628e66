using System.Net;
using System.Text.Json;
using Orca.Grains.Grains;
using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orca.Grains.Scheduling;
using Orca.Silo.Api;
using Orca.Silo.Docker;
using Orca.Silo.Storage;
using Orleans;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;
using Orleans.Runtime;
using OpenTelemetry.Metrics;

namespace Orca.Silo;

public sealed record SiloOptions(string Database, string Host = "127.0.0.1", int Port = 7070)
{
    /// <summary>The cluster this silo joins (the database must be PostgreSQL shared by its silos); null: a single silo.</summary>
    public string? ClusterName { get; init; }

    /// <summary>The address other silos reach this one at (default: <see cref="Host"/>).</summary>
    public string? Advertise { get; init; }

    /// <summary>Orleans' silo-to-silo port (default 11111 + (Port − 7070)).</summary>
    public int? SiloPort { get; init; }

    /// <summary>Orleans' gateway port for clients (default 30000 + (Port − 7070)).</summary>
    public int? GatewayPort { get; init; }

    public OrcaOptions Cluster { get; init; } = new();
}

/// <summary>
/// A silo: an Orleans silo (Microsoft.Orleans.Server) hosting Orca's grains, with grain state and reminders in SQLite
/// (a file, the embedded default, with localhost clustering) or PostgreSQL (a cluster of silos: ADO.NET clustering as
/// well), Docker hosts through the Engine API, and the REST API on Kestrel in the same process. On start it installs
/// Orca's tables and queries for Orleans' ADO.NET providers, then wakes the cluster grain, whose activation resumes
/// everything else (nodes adopt their containers, services resume their tasks).
/// </summary>
public sealed class SiloHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DockerDriverFactory _drivers;

    private SiloHost(WebApplication app, DockerDriverFactory drivers, string database, int siloPort)
    {
        _app = app;
        _drivers = drivers;
        Database = database;
        SiloPort = siloPort;
    }

    public string Url => _app.Urls.First();
    public string Database { get; }

    /// <summary>Orleans' silo-to-silo port of this silo.</summary>
    public int SiloPort { get; }
    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    public static async Task<SiloHost> StartAsync(SiloOptions options)
    {
        bool postgres = OrleansSchema.IsPostgres(options.Database);
        foreach (var (port, name) in new[] { (SiloPortOf(options), "--silo-port"), (GatewayPortOf(options), "--gateway-port") })
            if (port is < 1 or > 65535) throw new ArgumentException($"{name}: {port} is not a port; give one from 1 to 65535");
        if (options.ClusterName is not null && !postgres)
            throw new ArgumentException("a cluster of silos needs a shared PostgreSQL database: --db \"Host=…;Database=…\"");
        try
        {
            await OrleansSchema.InstallAsync(options.Database);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--db: cannot open {Describe(options.Database)}: {e.Message}");
        }
        var events = new EventHub();
        var drivers = new DockerDriverFactory();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            foreach (var c in OrcaJson.Options.Converters) o.SerializerOptions.Converters.Add(c);
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        });
        builder.Services.AddSingleton(events).AddSingleton<IEventSink>(events)
            .AddSingleton(drivers).AddSingleton<IContainerDriverFactory>(drivers)
            .AddSingleton(options.Cluster).AddSingleton(FilterSet.All)
            .AddSingleton(sp => new OrcaMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()))
            .AddSingleton<IRandomSource>(new SharedRandomSource())
            .AddSingleton(TimeProvider.System);
        builder.Host.UseOrleans(silo => ConfigureOrleans(silo, options));
        // /metrics: the OpenTelemetry Prometheus exporter over Orca's instruments (recorded by the grains as things
        // happen: a scrape calls no grain), Orleans' own meter and ASP.NET Core's.
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(OrcaMetrics.MeterName, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        var app = builder.Build();
        drivers.Grains = app.Services.GetRequiredService<IGrainFactory>();
        SiloApi.Map(app, options);
        app.MapOrleansDashboard(routePrefix: "/dashboard");
        app.MapPrometheusScrapingEndpoint("/metrics");
        await app.StartAsync();
        return new SiloHost(app, drivers, Describe(options.Database), SiloPortOf(options));
    }

    private static void ConfigureOrleans(ISiloBuilder silo, SiloOptions options)
    {
        var connection = OrleansSchema.ConnectionString(options.Database);
        var invariant = OrleansSchema.Invariant(options.Database);
        int siloPort = SiloPortOf(options);
        int gatewayPort = GatewayPortOf(options);
        if (options.ClusterName is { } name)
        {
            silo.UseAdoNetClustering(o => { o.Invariant = invariant; o.ConnectionString = connection; });
            silo.Configure<ClusterOptions>(o => { o.ClusterId = name; o.ServiceId = "orca"; });
            var address = IPAddress.Parse(options.Advertise ?? (IPAddress.TryParse(options.Host, out _) ? options.Host : "127.0.0.1"));
            silo.ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: false);
            // Failure detection for a control plane: a silo that misses three 1-second probes is declared dead by one
            // vote, so its grains (the scheduler among them) come back on a survivor within a few seconds.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 3;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            });
        }
        else silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: "orca", clusterId: "orca");
        silo.AddOrcaStorage(options.Database);
        // The Orleans Dashboard (grains, silos, call rates) is served under /dashboard by the same Kestrel; its live
        // log stream is off, as the silo log goes to the console.
        silo.AddDashboard(o => o.HideTrace = true);
        // Orleans refuses reminders more frequent than its minimum period (one minute by default); the keep-alive
        // period is the operator's choice, so the minimum follows it.
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromTicks(Math.Min(o.MinimumReminderPeriod.Ticks, options.Cluster.KeepAlivePeriod.Ticks)));
        silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(10));
        // The one thing the host does after a start: tell the cluster grain, which has every node grain settle its
        // host's containers and every service grain ask its tasks again where they are.
        // Afterwards it follows membership, to tell the cluster grain when another silo has been declared dead.
        silo.Services.AddSingleton<SiloLossWatcher>();
        silo.AddStartupTask(async (services, _) =>
        {
            var self = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            await services.GetRequiredService<IGrainFactory>().GetGrain<IClusterGrain>(IClusterGrain.Key).ResumeAllAsync($"silo {self} started");
            services.GetRequiredService<SiloLossWatcher>().Start();
        }, ServiceLifecycleStage.Active);
    }

    private static int SiloPortOf(SiloOptions o) => o.SiloPort ?? 11111 + o.Port - 7070;
    private static int GatewayPortOf(SiloOptions o) => o.GatewayPort ?? 30000 + o.Port - 7070;

    private static string Describe(string database) =>
        OrleansSchema.IsPostgres(database) ? "PostgreSQL" : Path.GetFullPath(database);

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _drivers.DisposeAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The silo's random source (grain timers' jitter): thread-safe, seeded by the runtime.</summary>
internal sealed class SharedRandomSource : IRandomSource
{
    public double NextDouble() => Random.Shared.NextDouble();
    public int Next(int maxExclusive) => Random.Shared.Next(maxExclusive);
}
