using System.CommandLine;
using Orca.Grains.Model;
using Orca.Silo;

namespace Orca.Cli;

/// <summary><c>orca silo run</c>: a production silo with its REST API.</summary>
public static class SiloCommands
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "SQLite file (default ./orca.db) or a PostgreSQL connection string (Host=…;Database=…).", DefaultValueFactory = _ => "orca.db" };
        var host = new Option<string>("--host") { Description = "Address the API listens on.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port of the API.", DefaultValueFactory = _ => 7070 };
        var heartbeat = new Option<string?>("--heartbeat") { Description = "How often each Docker host is pinged (default 5s)." };
        var downAfter = new Option<string?>("--down-after") { Description = "No heartbeat for this long and a node is down (default 15s)." };
        var keepAlive = new Option<string?>("--keep-alive") { Description = "Period of the grains' keep-alive reminders: how soon a grain of a dead silo is back on another (default 1m)." };
        var cluster = new Option<string?>("--cluster") { Description = "Join this cluster of silos (needs a PostgreSQL --db shared by them)." };
        var advertise = new Option<string?>("--advertise") { Description = "The IP address other silos reach this one at (default: --host)." };
        var siloPort = new Option<int?>("--silo-port") { Description = "Orleans' silo-to-silo port (default 11111 + PORT − 7070)." };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = "Orleans' gateway port (default 30000 + PORT − 7070)." };
        var run = new Command("run", "Run a silo: an Orleans silo hosting Orca's grains, state in the database, Docker hosts through the Engine API, the REST API.")
        {
            db, host, port, heartbeat, downAfter, keepAlive, cluster, advertise, siloPort, gatewayPort,
        };
        run.SetAction(async (parse, ct) =>
        {
            var options = new OrcaOptions();
            if (parse.GetValue(heartbeat) is { } hb)
                options = options with { HeartbeatInterval = Duration(hb, "--heartbeat") };
            if (parse.GetValue(keepAlive) is { } ka)
                options = options with { KeepAlivePeriod = Duration(ka, "--keep-alive") };
            if (parse.GetValue(downAfter) is { } da)
                options = options with { DownAfter = Duration(da, "--down-after") };
            SiloHost silo;
            try
            {
                silo = await SiloHost.StartAsync(new SiloOptions(parse.GetValue(db)!, parse.GetValue(host)!, parse.GetValue(port))
                {
                    Cluster = options,
                    ClusterName = parse.GetValue(cluster),
                    Advertise = parse.GetValue(advertise),
                    SiloPort = parse.GetValue(siloPort),
                    GatewayPort = parse.GetValue(gatewayPort),
                });
            }
            catch (ArgumentException e)
            {
                return ExitCodes.Refuse(e.Message);
            }
            await using var _ = silo;
            Console.WriteLine($"orca silo listening on {silo.Url} (state: {silo.Database})");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException) { }
            Console.WriteLine("orca silo stopping");
            return ExitCodes.Ok;
        });
        var silo = new Command("silo", "Run and manage silos.");
        silo.Subcommands.Add(run);
        return silo;
    }

    private static TimeSpan Duration(string text, string option) =>
        QuantityFormat.TryParseDuration(text, out var d) && d > TimeSpan.Zero ? d : throw new ArgumentException($"{option} {text}: expected a duration such as 5s");
}
