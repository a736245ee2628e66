using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using static Orca.Cli.ApiCommand;

namespace Orca.Cli;

/// <summary><c>orca service rollback</c>, <c>orca service deployments</c>, and <c>--wait</c>: follow a deployment
/// until it ends.</summary>
public static class DeploymentCommands
{
    /// <summary>Exit code of <c>--wait</c> when the deployment did not end in time (as timeout(1) does).</summary>
    public const int TimedOut = 124;

    public static (Option<bool> Wait, Option<string?> Timeout) WaitOptions(Command c)
    {
        var wait = new Option<bool>("--wait") { Description = "Follow the change: exit 0 when it completes, 1 when a deployment pauses or rolls back." };
        var timeout = new Option<string?>("--timeout") { Description = "With --wait: give up after this long (exit 124), e.g. 5m. Default: no limit." };
        c.Options.Add(wait);
        c.Options.Add(timeout);
        return (wait, timeout);
    }

    public static Command Rollback()
    {
        var name = new Argument<string>("NAME");
        var to = new Option<int?>("--to", "--rollback-to") { Description = "Roll back to the spec of this version (default: the version before the current one)." };
        var c = new Command("rollback", "Roll a service back to an earlier version's spec, as a deployment with the rollback policy.") { name, to };
        var (wait, timeout) = WaitOptions(c);
        SetAction(c, async (parse, api) =>
        {
            var service = parse.GetValue(name)!;
            var s = await api.PostAsync($"v1/services/{Uri.EscapeDataString(service)}/rollback", new { version = parse.GetValue(to) });
            if (parse.GetValue(Json)) PrintJson(s);
            else Console.WriteLine($"service {service} rolling back: version {S(s?["version"])}");
            return parse.GetValue(wait) ? await WaitAsync(api, service, s, parse.GetValue(timeout)) : ExitCodes.Ok;
        });
        return c;
    }

    public static Command List()
    {
        var name = new Argument<string>("NAME");
        var c = new Command("deployments", "A service's last deployments (create, updates, rollbacks), newest first.") { name };
        SetAction(c, async (parse, api) =>
        {
            var list = await api.GetAsync($"v1/services/{Uri.EscapeDataString(parse.GetValue(name)!)}/deployments");
            if (parse.GetValue(Json)) { PrintJson(list); return ExitCodes.Ok; }
            var t = Table("ID", "STATE", "VERSIONS", "UPDATED", "HEALTHY", "FAILED", "STARTED", "MESSAGE");
            foreach (var d in list!.AsArray())
                Row(t, S(d!["id"]), State(d), $"{S(d["fromVersion"])} → {S(d["toVersion"])}", $"{S(d["updated"])}/{S(d["slots"])}", S(d["healthy"]), S(d["failed"]),
                    S(d["startedAt"]), S(d["message"]));
            Spectre.Console.AnsiConsole.Write(t);
            return ExitCodes.Ok;
        });
        return c;
    }

    /// <summary>Follows the deployment the command started (the service's newest) until it ends, printing each change.
    /// 0: completed (a rollback asked for completes too); 1: paused, rolled back by the failure action, or
    /// superseded; 124: <paramref name="timeoutText"/> passed.</summary>
    public static Task<int> WaitAsync(ApiClient api, string service, JsonNode? started, string? timeoutText)
    {
        int? id = started?["deployment"]?["id"]?.GetValue<int>();
        return FollowAsync(api, service, timeoutText, s =>
        {
            var d = s["deployment"];
            if (d is null || id is not null && d["id"]!.GetValue<int>() != id) return ("", ExitCodes.Failed, "the deployment was superseded");
            var state = State(d);
            var line = $"{state}, {S(d["updated"])}/{S(d["slots"])} updated, {S(d["healthy"])} healthy, {S(d["failed"])} failed  " +
                       Bar(d["healthy"]!.GetValue<int>(), d["slots"]!.GetValue<int>());
            bool rolledBack = d["rolledBackVersion"] is not null;
            if (state == "completed" || state == "rollback_completed" && !rolledBack) return (line, ExitCodes.Ok, null);
            if (state is "paused" or "rollback_paused" or "rollback_completed") return (line, ExitCodes.Failed, S(d["message"]));
            return (line, null, state);
        });
    }

    /// <summary>For a scale (not a deployment): waits until exactly <paramref name="replicas"/> tasks run and none is
    /// pending. 0 when so; 124 after the timeout.</summary>
    public static Task<int> WaitForReplicasAsync(ApiClient api, string service, int replicas, string? timeoutText) =>
        FollowAsync(api, service, timeoutText, s =>
        {
            int running = s["running"]!.GetValue<int>(), pending = s["pending"]!.GetValue<int>();
            var line = $"{running}/{replicas} running, {pending} pending";
            return ($"{line}  {Bar(running, replicas)}", running == replicas && pending == 0 ? ExitCodes.Ok : null, line);
        });

    /// <summary>Reads the service every half second and prints each new line <paramref name="judge"/> makes of it,
    /// until the judge gives an exit code (with a note to print, if any) or the timeout passes (124, with the note
    /// of the last look).</summary>
    private static async Task<int> FollowAsync(ApiClient api, string service, string? timeoutText,
        Func<JsonNode, (string Line, int? Exit, string? Note)> judge)
    {
        TimeSpan? timeout = null;
        if (timeoutText is not null)
        {
            if (!Orca.Grains.Model.QuantityFormat.TryParseDuration(timeoutText, out var t)) return ExitCodes.Refuse($"--timeout {timeoutText}: expected a duration such as 5m");
            timeout = t;
        }
        var clock = Stopwatch.StartNew();
        string last = "";
        while (true)
        {
            var (line, exit, note) = judge((await api.GetAsync($"v1/services/{Uri.EscapeDataString(service)}"))!);
            if (line.Length > 0 && line != last) Console.WriteLine($"{service}: {line}");
            last = line;
            if (exit is { } code)
            {
                if (note is not null) Console.WriteLine($"{service}: {note}");
                return code;
            }
            if (timeout is { } limit && clock.Elapsed >= limit)
            {
                Console.WriteLine($"{service}: not done after {timeoutText} ({note})");
                return TimedOut;
            }
            await Task.Delay(500);
        }
    }

    /// <summary>A progress bar of 20 cells, <paramref name="done"/> of <paramref name="total"/> filled; it is part of
    /// each printed line, so it reads the same on a terminal and in a log.</summary>
    public static string Bar(int done, int total)
    {
        const int width = 20;
        int filled = total <= 0 ? width : (int)Math.Clamp((long)done * width / total, 0, width);
        return $"[{new string('#', filled)}{new string('.', width - filled)}]";
    }

    /// <summary>The state as Swarm spells it (the API's JSON uses kebab case: rollback-started).</summary>
    private static string State(JsonNode d) => S(d["state"]).Replace('-', '_');
}
