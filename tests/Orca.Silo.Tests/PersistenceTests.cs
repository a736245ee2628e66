using Orca.Grains.Runtime;
using Orca.Silo.Persistence;

namespace Orca.Silo.Tests;

/// <summary>A throwaway PostgreSQL cluster on a loopback port (scripts/postgres.sh), for the tests that need one.</summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _dir = Processes.TempDir("orca-pg");

    public PostgresServer()
    {
        var (code, stdout, stderr) = Processes.Run("bash", [Path.Combine(Processes.RepoRoot(), "scripts", "postgres.sh"), "start", _dir, Processes.FreePort().ToString()]);
        Directory = _dir;
        if (code != 0) throw new InvalidOperationException($"could not start PostgreSQL: {stderr}{stdout}");
        ConnectionString = stdout.Trim();
    }

    public string ConnectionString { get; }
    public string Directory { get; }

    /// <summary>Stops and starts the server (clients see their connections broken meanwhile).</summary>
    public void Restart(TimeSpan down)
    {
        Processes.Run("bash", [Path.Combine(Processes.RepoRoot(), "scripts", "postgres.sh"), "stop", _dir]);
        Thread.Sleep(down);
        var (code, _, stderr) = Processes.Run("bash", [Path.Combine(Processes.RepoRoot(), "scripts", "postgres.sh"), "resume", _dir]);
        if (code != 0) throw new InvalidOperationException($"PostgreSQL did not start again: {stderr}");
    }

    /// <summary>A fresh database on the server, for a test that must not see the others' state.</summary>
    public string NewDatabase()
    {
        var name = "t" + Guid.NewGuid().ToString("n")[..12];
        using (var c = new Npgsql.NpgsqlConnection(ConnectionString))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"CREATE DATABASE {name}";
            cmd.ExecuteNonQuery();
        }
        return ConnectionString.Replace("Database=orca", $"Database={name}");
    }

    public void Dispose() => Processes.Run("bash", [Path.Combine(Processes.RepoRoot(), "scripts", "postgres.sh"), "stop", _dir]);
}

public sealed record Sample(string Name, List<int> Values);

/// <summary>The same persistence tests against SQLite (a file) and a real PostgreSQL server.</summary>
public sealed class PersistenceTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    public static TheoryData<string> Databases() => new("sqlite", "postgres");

    private async Task<SqlGrainStateStore> Open(string kind) =>
        await SqlGrainStateStore.OpenAsync(kind == "sqlite" ? Path.Combine(Processes.TempDir("orca-sqlite"), "orca.db") : postgres.ConnectionString);

    private static string Key() => Guid.NewGuid().ToString("n");

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task WritesRoundTripWithEtags(string kind)
    {
        var store = await Open(kind);
        var key = Key();
        Assert.Equal((null, null), await store.ReadAsync<Sample>("sample", key));
        var e1 = await store.WriteAsync("sample", key, new Sample("a", [1, 2]), null);
        var e2 = await store.WriteAsync("sample", key, new Sample("b", [3]), e1);
        Assert.NotEqual(e1, e2);
        var (state, etag) = await store.ReadAsync<Sample>("sample", key);
        Assert.Equal(("b", e2), (state!.Name, etag));
        Assert.Equal([3], state.Values);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task AStaleEtagFailsAndOverwritesNothing(string kind)
    {
        var store = await Open(kind);
        var key = Key();
        var e1 = await store.WriteAsync("sample", key, new Sample("first", []), null);
        await store.WriteAsync("sample", key, new Sample("second", []), e1);
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync("sample", key, new Sample("stale", []), e1));
        await Assert.ThrowsAsync<InconsistentStateException>(() => store.WriteAsync("sample", key, new Sample("new?", []), null));
        Assert.Equal("second", (await store.ReadAsync<Sample>("sample", key)).State!.Name);
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task ConcurrentWritersWithTheSameEtagLetExactlyOneWin(string kind)
    {
        var store = await Open(kind);
        var key = Key();
        var e1 = await store.WriteAsync("sample", key, new Sample("start", []), null);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await store.WriteAsync("sample", key, new Sample($"writer {i}", []), e1);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));
        Assert.Equal(1, results.Count(r => r));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task ClearAndListKeys(string kind)
    {
        var store = await Open(kind);
        string a = "a" + Key(), b = "b" + Key();
        var ea = await store.WriteAsync("listed", a, new Sample("a", []), null);
        await store.WriteAsync("listed", b, new Sample("b", []), null);
        Assert.Contains(a, await store.ListKeysAsync("listed"));
        await store.ClearAsync("listed", a, ea);
        Assert.DoesNotContain(a, await store.ListKeysAsync("listed"));
        Assert.Contains(b, await store.ListKeysAsync("listed"));
    }

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task TheSchemaIsCreatedOnceAndVersioned(string kind)
    {
        var database = kind == "sqlite" ? Path.Combine(Processes.TempDir("orca-sqlite"), "orca.db") : postgres.ConnectionString;
        var first = await SqlGrainStateStore.OpenAsync(database);
        var key = Key();
        await first.WriteAsync("sample", key, new Sample("kept", []), null);
        var second = await SqlGrainStateStore.OpenAsync(database); // a restarted silo
        Assert.Equal("kept", (await second.ReadAsync<Sample>("sample", key)).State!.Name);
    }
}
