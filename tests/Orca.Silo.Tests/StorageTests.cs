using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orca.Grains.Runtime;
using Orca.Silo.Storage;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;

namespace Orca.Silo.Tests;

[Alias("orca.tests.INotebookGrain")]
public interface INotebookGrain : IGrainWithStringKey
{
    Task<string?> WriteAsync(string line);
    Task<IReadOnlyList<string>> ReadAsync();
    Task RemindAsync();
    Task<bool> HasReminderAsync();
}

[GenerateSerializer, Alias("orca.tests.Notebook")]
public sealed class Notebook
{
    [Id(0)] public List<string> Lines { get; set; } = [];
}

/// <summary>A grain with persistent state and a reminder, stored by Orleans' ADO.NET providers through Orca's queries.</summary>
public sealed class NotebookGrain(IGrainContext context, IGrainRuntime runtime,
    [PersistentState("notebook", OrcaStorage.Name)] IPersistentState<Notebook> state) : Grain(context, runtime), INotebookGrain, IRemindable
{
    public async Task<string?> WriteAsync(string line)
    {
        state.State.Lines.Add(line);
        await state.WriteStateAsync();
        return state.Etag;
    }

    public Task<IReadOnlyList<string>> ReadAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.Lines.ToList());
    public async Task RemindAsync() => await this.RegisterOrUpdateReminder("r", TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5));
    public async Task<bool> HasReminderAsync() => await this.GetReminder("r") is not null;
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}

/// <summary>Orleans' ADO.NET grain storage and reminders on Orca's schema and queries, against a real SQLite file and a
/// real PostgreSQL server, through a real Orleans silo.</summary>
public sealed class StorageTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    public static TheoryData<string> Databases() => new("sqlite", "postgres");

    private string Database(string kind) =>
        kind == "sqlite" ? Path.Combine(Processes.TempDir("orca-sqlite"), "orca.db") : postgres.NewDatabase();

    private static async Task<IHost> StartSilo(string database)
    {
        await OrleansSchema.InstallAsync(database);
        var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders())
            .UseOrleans(silo => silo.UseLocalhostClustering(Processes.FreePort(), Processes.FreePort()).AddOrcaStorage(database))
            .Build();
        await host.StartAsync();
        return host;
    }

    private static INotebookGrain Notebook(IHost host, string key) => host.Services.GetRequiredService<IGrainFactory>().GetGrain<INotebookGrain>(key);

    private static async Task Sql(string database, string sql)
    {
        await using var c = await OrleansSchema.OpenAsync(database);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task StateAndRemindersSurviveARestartAndTheSchemaInstallsTwice(string kind)
    {
        var db = Database(kind);
        await using (var silo = (IAsyncDisposable)await StartSilo(db))
        {
            var grain = Notebook((IHost)silo, "a");
            Assert.Equal("1", await grain.WriteAsync("one"));
            Assert.Equal("2", await grain.WriteAsync("two"));
            await grain.RemindAsync();
            await ((IHost)silo).StopAsync();
        }
        await using (var silo = (IAsyncDisposable)await StartSilo(db)) // installs the schema again over the existing one
        {
            var grain = Notebook((IHost)silo, "a");
            Assert.Equal(["one", "two"], await grain.ReadAsync());
            Assert.True(await grain.HasReminderAsync());
            Assert.Equal("3", await grain.WriteAsync("three"));
            Assert.Empty(await Notebook((IHost)silo, "b").ReadAsync());
            await ((IHost)silo).StopAsync();
        }
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task AWriteOverAStaleEtagIsRefusedAndStoresNothing(string kind)
    {
        var db = Database(kind);
        var host = await StartSilo(db);
        try
        {
            var grain = Notebook(host, "a");
            await grain.WriteAsync("one");
            await Sql(db, "UPDATE orca_grain_state SET version = version + 5"); // another writer got there first
            await Assert.ThrowsAsync<InconsistentStateException>(() => grain.WriteAsync("two"));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    [Theory, MemberData(nameof(Databases))]
    public async Task AGrainWhoseStateCannotBeReadRejectsCallsInsteadOfServingEmptyState(string kind)
    {
        var db = Database(kind);
        var host = await StartSilo(db);
        try
        {
            await Notebook(host, "a").WriteAsync("one");
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
        await Sql(db, kind == "sqlite" ? "UPDATE orca_grain_state SET payload = X'DEADBEEF'" : "UPDATE orca_grain_state SET payload = '\\xdeadbeef'::bytea");
        host = await StartSilo(db);
        try
        {
            var grain = Notebook(host, "a");
            await Assert.ThrowsAnyAsync<Exception>(() => grain.ReadAsync());
            await Assert.ThrowsAnyAsync<Exception>(() => grain.ReadAsync()); // still refused: no empty notebook served
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    /// <summary>Every kind of spec the API makes is stored by the grain storage's own serializer and read back whole,
    /// lists made by collection expressions too: those are compiler-made types the storage recorded by name and then
    /// refused to load, so no service with a health check could be read after a restart.</summary>
    [Fact]
    public async Task EveryKindOfSpecTheApiMakesIsReadBackByTheGrainStorage()
    {
        var host = await StartSilo(Database("sqlite"));
        try
        {
            var serializer = host.Services.GetRequiredService<IGrainStorageSerializer>();
            var requests = new[]
            {
                new Api.ServiceRequest("a", "app:1", 2, "250m", "64Mi", ["node.labels.rack!=r9"], ["node.labels.rack"], 1, "binpack", "on-failure", "1s", 3, "1m",
                    2, "1s", "start-first", [8080], new() { ["K"] = "V" }, ["sh", "-c", "x"], HealthCmd: "true", HealthRetries: 2),
                new Api.ServiceRequest("b", "app:1", 1, null, null, null, null, null, null, null, null, null, null, null, null, null, [8080], null, null,
                    HealthHttp: "8080/healthz", Network: "host"),
                new Api.ServiceRequest("c", "app:1", 1, null, null, null, null, null, null, null, null, null, null, null, null, null, [5432], null, null, HealthTcp: "5432"),
                new Api.ServiceRequest("d", "app:1", 1, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, NoHealthcheck: true),
                new Api.ServiceRequest("e", "app:1", 1, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, Generic: ["gpu=1", "apple=2"]),
            };
            foreach (var r in requests)
            {
                var spec = Api.ApiRequests.ToSpec(r);
                if (r.Name == "a") spec = spec with { Command = ["sh", "-c", "x"], Placement = spec.Placement with { Spread = ["rack"] } }; // made here too
                var back = serializer.Deserialize<Orca.Grains.Model.ServiceSpec>(serializer.Serialize(spec));
                Assert.Equal(System.Text.Json.JsonSerializer.Serialize(spec, OrcaJson.Options), System.Text.Json.JsonSerializer.Serialize(back, OrcaJson.Options));
            }
            // A node as an update leaves it, and a task with the units the scheduler gave it (collection expressions both).
            var node = new Orca.Grains.Model.NodeChange(Generic: Orca.Grains.Model.GenericResources.Parse(["gpu=GPU-0,GPU-1"], "generic", named: true))
                .ApplyTo(new Orca.Grains.Model.NodeSpec("n1", new(1000, 1 << 30), new Dictionary<string, string>(),
                    Description: new("h", "linux", "x86_64", new Dictionary<string, string> { ["a"] = "b" }, "127.0.0.9")));
            var nodeBack = serializer.Deserialize<Orca.Grains.Model.NodeSpec>(serializer.Serialize(node));
            Assert.True(node.SameAs(nodeBack));
            var state = new Orca.Grains.Scheduling.SchedulingState();
            state.Upsert(new Orca.Grains.Model.NodeInfo(node, Orca.Grains.Model.NodeStatus.Ready, Orca.Grains.Model.NodeAvailability.Active, default));
            var given = state.Assign(new Orca.Grains.Scheduling.TaskRequest("t.1.0", "t", 1, "app:1", default, [], Orca.Grains.Model.PlacementSpec.None,
                Orca.Grains.Model.GenericResources.Parse(["gpu=1"], "generic", named: false)), "n1").Generic;
            var givenBack = serializer.Deserialize<IReadOnlyList<Orca.Grains.Model.GenericResource>>(serializer.Serialize(given));
            Assert.True(Orca.Grains.Model.GenericResources.Same(given, givenBack));
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
