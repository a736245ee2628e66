using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Orca.Grains.Runtime;
using Orleans.Hosting;

namespace Orca.Silo.Storage;

/// <summary>
/// Installs Orca's tables and the <c>OrleansQuery</c> rows that Orleans' ADO.NET providers read, idempotently, on every
/// start: SQLite (the embedded default: grain state and reminders) or PostgreSQL (a cluster: membership as well). On
/// PostgreSQL an advisory lock keeps silos that start together from running the DDL twice at once.
/// </summary>
public static class OrleansSchema
{
    /// <summary>The ADO.NET invariant Orleans knows SQLite by (served by Microsoft.Data.Sqlite).</summary>
    public const string SqliteInvariant = "System.Data.SQLite";
    public const string PostgresInvariant = "Npgsql";

    public static bool IsPostgres(string database) => database.Contains('=') && database.Contains("Host", StringComparison.OrdinalIgnoreCase);

    /// <summary>The connection string the providers get: a SQLite file path becomes <c>Data Source=…</c>.</summary>
    public static string ConnectionString(string database) =>
        IsPostgres(database) ? database : new SqliteConnectionStringBuilder { DataSource = database, Pooling = true }.ToString();

    public static string Invariant(string database) => IsPostgres(database) ? PostgresInvariant : SqliteInvariant;

    public static async Task InstallAsync(string database)
    {
        bool postgres = IsPostgres(database);
        if (!postgres) PrepareSqliteFile(database);
        await using var connection = await OpenAsync(database);
        if (!postgres) await ExecAsync(connection, null, "PRAGMA journal_mode=WAL");
        await using var tx = await connection.BeginTransactionAsync();
        if (postgres) await ExecAsync(connection, tx, "SELECT pg_advisory_xact_lock(7070)");
        foreach (var ddl in Tables(postgres)) await ExecAsync(connection, tx, ddl);
        var queries = OrleansQueries.Persistence(postgres).Concat(OrleansQueries.Reminders(postgres));
        if (postgres) queries = queries.Concat(OrleansQueries.Membership());
        foreach (var (key, sql) in queries)
            await ExecAsync(connection, tx,
                "INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES (@k, @q) ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText",
                ("k", key), ("q", sql));
        await tx.CommitAsync();
    }

    /// <summary>An open connection to the database (SQLite file or PostgreSQL), as the providers' connection string names it.</summary>
    public static async Task<DbConnection> OpenAsync(string database)
    {
        DbConnection connection = IsPostgres(database) ? new NpgsqlConnection(database) : new SqliteConnection(ConnectionString(database));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Orleans' ADO.NET grain storage (provider "orca") and reminder service on this database.</summary>
    public static ISiloBuilder AddOrcaStorage(this ISiloBuilder silo, string database)
    {
        var connection = ConnectionString(database);
        var invariant = Invariant(database);
        silo.AddAdoNetGrainStorage(OrcaStorage.Name, o => { o.Invariant = invariant; o.ConnectionString = connection; });
        silo.Services.PostConfigure<Orleans.Serialization.OrleansJsonSerializerOptions>(o =>
            o.JsonSerializerSettings.Converters.Add(new CompilerCollectionConverter()));
        return silo.UseAdoNetReminderService(o => { o.Invariant = invariant; o.ConnectionString = connection; });
    }

    /// <summary>The database file holds every service's spec and env: only its owner may read it (mode 0600), also
    /// for the write-ahead log and shared-memory files SQLite creates beside it.</summary>
    private static void PrepareSqliteFile(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            if (!File.Exists(file)) using (File.Create(file)) { }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static IEnumerable<string> Tables(bool postgres)
    {
        string blob = postgres ? "BYTEA" : "BLOB";
        string time = postgres ? "TIMESTAMPTZ" : "TEXT";
        yield return "CREATE TABLE IF NOT EXISTS OrleansQuery (QueryKey VARCHAR(64) NOT NULL PRIMARY KEY, QueryText TEXT NOT NULL)";
        yield return $"""
            CREATE TABLE IF NOT EXISTS orca_grain_state (
                service_id VARCHAR(150) NOT NULL, grain_type VARCHAR(512) NOT NULL, grain_n0 BIGINT NOT NULL, grain_n1 BIGINT NOT NULL,
                grain_ext VARCHAR(512) NOT NULL, grain_hash INTEGER NOT NULL, type_hash INTEGER NOT NULL,
                payload {blob}, version INTEGER NOT NULL, modified_on {time} NOT NULL,
                PRIMARY KEY (service_id, grain_type, grain_n0, grain_n1, grain_ext))
            """;
        yield return $"""
            CREATE TABLE IF NOT EXISTS orca_reminders (
                service_id VARCHAR(150) NOT NULL, grain_id VARCHAR(600) NOT NULL, reminder_name VARCHAR(150) NOT NULL,
                start_time {time} NOT NULL, period_ms BIGINT NOT NULL, grain_hash INTEGER NOT NULL, version INTEGER NOT NULL,
                PRIMARY KEY (service_id, grain_id, reminder_name))
            """;
        yield return "CREATE INDEX IF NOT EXISTS ix_orca_reminders_hash ON orca_reminders (service_id, grain_hash)";
        if (!postgres) yield break;
        yield return """
            CREATE TABLE IF NOT EXISTS orca_membership_version (
                deployment_id VARCHAR(150) NOT NULL PRIMARY KEY, stamp TIMESTAMPTZ NOT NULL, version INTEGER NOT NULL)
            """;
        yield return """
            CREATE TABLE IF NOT EXISTS orca_membership (
                deployment_id VARCHAR(150) NOT NULL REFERENCES orca_membership_version (deployment_id),
                address VARCHAR(45) NOT NULL, port INTEGER NOT NULL, generation INTEGER NOT NULL,
                silo_name VARCHAR(150) NOT NULL, host_name VARCHAR(150) NOT NULL, status INTEGER NOT NULL, proxy_port INTEGER,
                suspect_times VARCHAR(8000), start_time TIMESTAMPTZ NOT NULL, i_am_alive_time TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (deployment_id, address, port, generation))
            """;
    }

    private static async Task ExecAsync(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }
        await command.ExecuteNonQueryAsync();
    }
}
