
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

