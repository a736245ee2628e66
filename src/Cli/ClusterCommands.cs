using System.CommandLine;
using static Orca.Cli.ApiCommand;

namespace Orca.Cli;

/// <summary><c>orca cluster ls</c>: the silos of the cluster, as the membership table has them.</summary>
public static class ClusterCommands
{
    public static Command Create()
    {
        var ls = new Command("ls", "List the silos as Orleans' membership has them: address, name, status, since, last I-am-alive, grains hosted.");
        SetAction(ls, async (parse, api) =>
        {
            var c = await api.GetAsync("v1/cluster");
            if (parse.GetValue(Json)) { PrintJson(c); return ExitCodes.Ok; }
            if (c?["cluster"] is null)
            {
                Console.WriteLine($"a single silo ({S(c?["self"])}), not in a cluster");
                return ExitCodes.Ok;
            }
            Console.WriteLine($"cluster {S(c["cluster"])}, answered by {S(c["self"])}");
            var t = Table("SILO", "NAME", "STATUS", "SINCE", "LAST I-AM-ALIVE", "GRAINS");
            foreach (var s in c["silos"]!.AsArray())
                Row(t, S(s!["address"]), S(s["name"]), S(s["status"]), S(s["since"]), S(s["lastIAmAlive"]), S(s["activations"]));
            Spectre.Console.AnsiConsole.Write(t);
            return ExitCodes.Ok;
        });
        var cluster = new Command("cluster", "The silos of a cluster.");
        cluster.Subcommands.Add(ls);
        return cluster;
    }
}
