using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Orca.Grains.Runtime;

namespace Orca.Silo.Persistence;

/// <summary>
/// Grain state in a SQL database through ADO.NET: SQLite (a file, the embedded default) or PostgreSQL (for a cluster
/// of silos). One row per (state name, grain key) with a JSON payload and an etag; a write whose etag no longer
/// matches fails with <see cref="InconsistentStateException"/> and changes nothing. The schema is created on first
/// start and carries a version number.
/// </summary>
public sealed class SqlGrainStateStore : IGrainStateStore
{
    /// <summary>1: grain state. 2: silo membership.</summary>
    public const int SchemaVersion = 2;
    private readonly Func<DbConnection> _connect;
    private readonly bool _postgres;

    private SqlGrainStateStore(Func<DbConnection> connect, bool postgres)
    {
        _connect = connect;
        _postgres = postgres;
    }

    public string Description { get; private init; } = "";

    /// <summary>A path or SQLite connection string gives SQLite; "Host=…" gives PostgreSQL.</summary>
    public static async Task<SqlGrainStateStore> OpenAsync(string database)
    {
        SqlGrainStateStore store;
        if (database.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            var dataSource = NpgsqlDataSource.Create(database);
            store = new SqlGrainStateStore(() => dataSource.CreateConnection(), postgres: true) { Description = "PostgreSQL" };
        }
        else
        {
            var cs = database.Contains('=') ? database : new SqliteConnectionStringBuilder { DataSource = database, Pooling = true }.ToString();
            store = new SqlGrainStateStore(() => new SqliteConnection(cs), postgres: false) { Description = $"SQLite {new SqliteConnectionStringBuilder(cs).DataSource}" };
        }
        await store.MigrateAsync();
        return store;
    }

    public bool IsPostgres => _postgres;

    public async Task<DbConnection> OpenConnectionAsync()
    {
        var c = _connect();
        await c.OpenAsync();
        if (!_postgres)
        {
            await using var pragma = c.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL;";
            await pragma.ExecuteNonQueryAsync();
        }
        return c;
    }

    private async Task MigrateAsync()
    {
        await using var c = await OpenConnectionAsync();
        await Exec(c, """
            CREATE TABLE IF NOT EXISTS orca_schema (version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS grain_state (
                state_name TEXT NOT NULL,
                grain_key TEXT NOT NULL,
                etag BIGINT NOT NULL,
                payload TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                PRIMARY KEY (state_name, grain_key));
            """);
        await using var read = c.CreateCommand();
        read.CommandText = "SELECT MAX(version) FROM orca_schema";
        var current = await read.ExecuteScalarAsync();
        int version = current is null or DBNull ? 0 : Convert.ToInt32(current, CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
            throw new InvalidOperationException($"the database has schema version {version}; this Orca knows up to {SchemaVersion}: upgrade Orca");
        if (version < 2)
            await Exec(c, $"""
                CREATE TABLE IF NOT EXISTS silo_membership (
                    cluster TEXT NOT NULL,
                    address TEXT NOT NULL,
                    generation BIGINT NOT NULL,
                    status TEXT NOT NULL,
                    started_at {(_postgres ? "TIMESTAMPTZ" : "TEXT")} NOT NULL,
                    last_heartbeat {(_postgres ? "TIMESTAMPTZ" : "TEXT")} NOT NULL,
                    activations INTEGER NOT NULL,
                    PRIMARY KEY (cluster, address, generation));
                """);
        if (version < SchemaVersion) await Exec(c, $"INSERT INTO orca_schema (version) VALUES ({SchemaVersion})");
    }

    public async Task<(T? State, string? Etag)> ReadAsync<T>(string stateName, string key) where T : class
    {
        await using var c = await OpenConnectionAsync();
        await using var cmd = Command(c, "SELECT etag, payload FROM grain_state WHERE state_name = @n AND grain_key = @k", ("n", stateName), ("k", key));
        await using var r = await cmd.ExecuteReaderAsync();
        if (!await r.ReadAsync()) return (null, null);
        var etag = r.GetInt64(0).ToString(CultureInfo.InvariantCulture);
        return (JsonSerializer.Deserialize<T>(r.GetString(1), OrcaJson.Options), etag);
    }

    public async Task<string> WriteAsync<T>(string stateName, string key, T state, string? expectedEtag) where T : class
    {
        var payload = JsonSerializer.Serialize(state, OrcaJson.Options);
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        await using var c = await OpenConnectionAsync();
        if (expectedEtag is null)
        {
            await using var insert = Command(c, "INSERT INTO grain_state (state_name, grain_key, etag, payload, updated_at) VALUES (@n, @k, 1, @p, @t) ON CONFLICT DO NOTHING",
                ("n", stateName), ("k", key), ("p", payload), ("t", now));
            if (await insert.ExecuteNonQueryAsync() == 1) return "1";
            throw new InconsistentStateException($"state {stateName}/{key} was written by someone else (expected none stored)");
        }
        long expected = long.Parse(expectedEtag, CultureInfo.InvariantCulture);
        await using var update = Command(c, "UPDATE grain_state SET etag = etag + 1, payload = @p, updated_at = @t WHERE state_name = @n AND grain_key = @k AND etag = @e",
            ("n", stateName), ("k", key), ("p", payload), ("t", now), ("e", expected));
        if (await update.ExecuteNonQueryAsync() == 1) return (expected + 1).ToString(CultureInfo.InvariantCulture);
        throw new InconsistentStateException($"state {stateName}/{key} changed since etag {expectedEtag}: re-read before writing");
    }

    public async Task ClearAsync(string stateName, string key, string? expectedEtag)
    {
        await using var c = await OpenConnectionAsync();
        await using var delete = Command(c, "DELETE FROM grain_state WHERE state_name = @n AND grain_key = @k AND etag = @e",
            ("n", stateName), ("k", key), ("e", expectedEtag is null ? 0L : long.Parse(expectedEtag, CultureInfo.InvariantCulture)));
        if (await delete.ExecuteNonQueryAsync() == 0 && expectedEtag is not null)
            throw new InconsistentStateException($"state {stateName}/{key} changed since etag {expectedEtag}");
    }

    /// <summary>Every key stored under a state name (for the silo to resume its grains after a restart).</summary>
    public async Task<List<string>> ListKeysAsync(string stateName)
    {
        await using var c = await OpenConnectionAsync();
        await using var cmd = Command(c, "SELECT grain_key FROM grain_state WHERE state_name = @n ORDER BY grain_key", ("n", stateName));
        await using var r = await cmd.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await r.ReadAsync()) keys.Add(r.GetString(0));
        return keys;
    }

    private static DbCommand Command(DbConnection c, string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    private static async Task Exec(DbConnection c, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
