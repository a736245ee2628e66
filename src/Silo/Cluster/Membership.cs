using System.Data.Common;
using System.Globalization;
using Orca.Silo.Persistence;

namespace Orca.Silo.Cluster;

public enum SiloStatus { Active, Dead }

/// <summary>One silo incarnation as the membership table holds it.</summary>
public sealed record SiloRow(string Cluster, string Address, long Generation, SiloStatus Status, DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeat, int Activations);

/// <summary>
/// The membership table: one row per silo incarnation (address + generation). A silo heartbeats its own row; any
/// silo declares another dead when its heartbeat is older than the timeout, and the row is the arbiter: a silo
/// that finds its own row dead stops serving, and a silo that comes back joins with a new generation.
/// Times are the database's clock, so silos on machines with skewed clocks agree.
/// </summary>
public sealed class Membership(SqlGrainStateStore store, string cluster, string address)
{
    public string Cluster { get; } = cluster;
    public string Address { get; } = address;
    public long Generation { get; private set; }

    private string Now => store.IsPostgres ? "now()" : "CURRENT_TIMESTAMP";

    public async Task JoinAsync()
    {
        await using var c = await store.OpenConnectionAsync();
        Generation = DateTimeOffset.UtcNow.UtcTicks;
        await Exec(c, $"UPDATE silo_membership SET status = 'dead' WHERE cluster = @c AND address = @a AND status = 'active'", ("c", Cluster), ("a", Address));
        await Exec(c, $"INSERT INTO silo_membership (cluster, address, generation, status, started_at, last_heartbeat, activations) VALUES (@c, @a, @g, 'active', {Now}, {Now}, 0)",
            ("c", Cluster), ("a", Address), ("g", Generation));
    }

    /// <summary>Renews this incarnation's row; false when the others have declared it dead (it must stop serving).</summary>
    public async Task<bool> HeartbeatAsync(int activations)
    {
        await using var c = await store.OpenConnectionAsync();
        return await Exec(c, $"UPDATE silo_membership SET last_heartbeat = {Now}, activations = @n WHERE cluster = @c AND address = @a AND generation = @g AND status = 'active'",
            ("n", activations), ("c", Cluster), ("a", Address), ("g", Generation)) == 1;
    }

    /// <summary>Declares dead every active silo whose heartbeat is older than <paramref name="timeout"/>; returns how many.</summary>
    public async Task<int> ExpireAsync(TimeSpan timeout)
    {
        await using var c = await store.OpenConnectionAsync();
        var cutoff = store.IsPostgres
            ? $"now() - make_interval(secs => {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)})"
            : $"datetime('now', '-{timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} seconds')";
        return await Exec(c, $"UPDATE silo_membership SET status = 'dead' WHERE cluster = @c AND status = 'active' AND last_heartbeat < {cutoff}", ("c", Cluster));
    }

    public async Task LeaveAsync()
    {
        await using var c = await store.OpenConnectionAsync();
        await Exec(c, "UPDATE silo_membership SET status = 'dead' WHERE cluster = @c AND address = @a AND generation = @g", ("c", Cluster), ("a", Address), ("g", Generation));
    }

    public async Task<List<SiloRow>> ListAsync()
    {
        await using var c = await store.OpenConnectionAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT cluster, address, generation, status, started_at, last_heartbeat, activations FROM silo_membership WHERE cluster = @c ORDER BY address, generation";
        Add(cmd, "c", Cluster);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<SiloRow>();
        while (await r.ReadAsync())
            rows.Add(new SiloRow(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3) == "active" ? SiloStatus.Active : SiloStatus.Dead,
                Time(r.GetValue(4)), Time(r.GetValue(5)), r.GetInt32(6)));
        return rows;
    }

    private static DateTimeOffset Time(object value) => value switch
    {
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        DateTimeOffset o => o,
        string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        _ => DateTimeOffset.MinValue,
    };

    private static async Task<int> Exec(DbConnection c, string sql, params (string, object)[] parameters)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in parameters) Add(cmd, n, v);
        return await cmd.ExecuteNonQueryAsync();
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}
