using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using static Orca.Cli.ApiCommand;

namespace Orca.Cli;

/// <summary><c>orca service create | update | ls | ps | scale | inspect | rm</c>.</summary>
public static class ServiceCommands
{
    private sealed class SpecOptions
    {
        public readonly Option<string?> Image = new("--image") { Description = "The image, e.g. nginx:1.27." };
        public readonly Option<int?> Replicas = new("--replicas") { Description = "Desired replicas." };
        public readonly Option<string?> Cpu = new("--cpu") { Description = "CPU per task: 250m or 0.5." };
        public readonly Option<string?> Memory = new("--memory") { Description = "Memory per task: 64Mi, 1Gi." };
        public readonly Option<string[]> Constraint = new("--constraint") { Description = "Hard constraint, repeatable: node.labels.rack!=r9, rack:UNIQUE, rack:MAX_PER:2 …" };
        public readonly Option<string[]> Spread = new("--spread") { Description = "Spread over a label, repeatable (nested in order): node.labels.rack." };
        public readonly Option<int?> MaxPerNode = new("--max-per-node") { Description = "At most this many tasks of the service on one node." };
        public readonly Option<string?> Strategy = new("--strategy") { Description = "spread (least allocated) or binpack." };
        public readonly Option<string?> Restart = new("--restart") { Description = "Restart condition: any, on-failure, none." };
        public readonly Option<string?> RestartDelay = new("--restart-delay") { Description = "Wait before replacing an exited task, e.g. 5s." };
        public readonly Option<int?> RestartMaxAttempts = new("--restart-max-attempts") { Description = "Restarts allowed within the window (0: unlimited)." };
        public readonly Option<string?> RestartWindow = new("--restart-window") { Description = "Window of the attempts, e.g. 10m." };
        public readonly Option<int?> UpdateParallelism = new("--update-parallelism") { Description = "Tasks replaced at once by an update." };
        public readonly Option<string?> UpdateDelay = new("--update-delay") { Description = "Pause between update batches." };
        public readonly Option<string?> UpdateOrder = new("--update-order") { Description = "stop-first or start-first." };
        public readonly Option<string?> UpdateFailureAction = new("--update-failure-action") { Description = "When update tasks fail: pause (default), continue or rollback." };
        public readonly Option<string?> UpdateMonitor = new("--update-monitor") { Description = "How long a new task must run before it counts as healthy (default 5s)." };
        public readonly Option<double?> UpdateMaxFailureRatio = new("--update-max-failure-ratio") { Description = "Share of tasks that may fail before the failure action (default 0)." };
        public readonly Option<int?> RollbackParallelism = new("--rollback-parallelism") { Description = "Tasks replaced at once by a rollback." };
        public readonly Option<string?> RollbackDelay = new("--rollback-delay") { Description = "Pause between rollback batches." };
        public readonly Option<string?> RollbackOrder = new("--rollback-order") { Description = "stop-first or start-first, for rollbacks." };
        public readonly Option<string?> RollbackFailureAction = new("--rollback-failure-action") { Description = "When rollback tasks fail: pause or continue." };
        public readonly Option<string?> RollbackMonitor = new("--rollback-monitor") { Description = "Monitor period of a rollback (default 5s)." };
        public readonly Option<double?> RollbackMaxFailureRatio = new("--rollback-max-failure-ratio") { Description = "Share of rollback tasks that may fail (default 0)." };
        public readonly Option<string?> HealthCmd = new("--health-cmd") { Description = "Health check: a shell command run in the container (exit 0: healthy)." };
        public readonly Option<string?> HealthInterval = new("--health-interval") { Description = "Time between checks (default 30s)." };
        public readonly Option<string?> HealthTimeout = new("--health-timeout") { Description = "Time a check may take (default 30s)." };
        public readonly Option<string?> HealthStartPeriod = new("--health-start-period") { Description = "Start-up time whose failures do not count (default 0s)." };
        public readonly Option<int?> HealthRetries = new("--health-retries") { Description = "Failures in a row that make a task unhealthy (default 3)." };
        public readonly Option<string?> HealthHttp = new("--health-http") { Description = "Health check made by Orca from the node: GET PORT[/PATH], 200-399 passes." };
        public readonly Option<string?> HealthTcp = new("--health-tcp") { Description = "Health check made by Orca from the node: a TCP connection to PORT." };
        public readonly Option<string?> Network = new("--network") { Description = "Network mode: default, host (the node's ports) or none." };
        public readonly Option<bool> NoHealthcheck = new("--no-healthcheck") { Description = "Turn off the image's own health check." };
        public readonly Option<int[]> Port = new("--publish") { Description = "Host port published by each task (same number inside), repeatable." };
        public readonly Option<string[]> Env = new("--env") { Description = "Environment variable NAME=VALUE, repeatable." };
        public readonly Option<string[]> Topology = new("--topology-spread") { Description = "Kubernetes topology spread KEY:MAXSKEW[:DoNotSchedule|ScheduleAnyway[:MINDOMAINS]], e.g. zone:1; repeatable." };
        public readonly Option<string[]> Generic = new("--generic-resource") { Description = "Units of a node's generic resource each task needs, KIND=COUNT (e.g. gpu=1), repeatable." };
        public readonly Argument<string[]> Command = new("COMMAND") { Description = "The command to run (after --).", Arity = ArgumentArity.ZeroOrMore };

        public void AddTo(Command c)
        {
            foreach (var o in new Option[]
                     {
                         Image, Replicas, Cpu, Memory, Constraint, Spread, MaxPerNode, Strategy, Restart, RestartDelay, RestartMaxAttempts, RestartWindow,
                         UpdateParallelism, UpdateDelay, UpdateOrder, UpdateFailureAction, UpdateMonitor, UpdateMaxFailureRatio,
                         RollbackParallelism, RollbackDelay, RollbackOrder, RollbackFailureAction, RollbackMonitor, RollbackMaxFailureRatio,
                         HealthCmd, HealthInterval, HealthTimeout, HealthStartPeriod, HealthRetries, HealthHttp, HealthTcp, NoHealthcheck, Network, Port, Env, Generic, Topology,
                     })
                c.Options.Add(o);
            c.Arguments.Add(Command);
        }

        public object Body(ParseResult p, string name)
        {
            Dictionary<string, string>? env = null;
            if (p.GetValue(Env) is { Length: > 0 } pairs)
            {
                env = new();
                foreach (var e in pairs)
                {
                    int eq = e.IndexOf('=');
                    if (eq <= 0) throw new ArgumentException($"--env {e}: expected NAME=VALUE");
                    env[e[..eq]] = e[(eq + 1)..];
                }
            }
            string[]? NullIfEmpty(string[]? a) => a is { Length: > 0 } ? a : null;
            return new
            {
                name, image = p.GetValue(Image), replicas = p.GetValue(Replicas), cpu = p.GetValue(Cpu), memory = p.GetValue(Memory),
                constraints = NullIfEmpty(p.GetValue(Constraint)), spread = NullIfEmpty(p.GetValue(Spread)), maxPerNode = p.GetValue(MaxPerNode),
                strategy = p.GetValue(Strategy), restart = p.GetValue(Restart), restartDelay = p.GetValue(RestartDelay),
                restartMaxAttempts = p.GetValue(RestartMaxAttempts), restartWindow = p.GetValue(RestartWindow),
                updateParallelism = p.GetValue(UpdateParallelism), updateDelay = p.GetValue(UpdateDelay), updateOrder = p.GetValue(UpdateOrder),
                updateFailureAction = p.GetValue(UpdateFailureAction), updateMonitor = p.GetValue(UpdateMonitor), updateMaxFailureRatio = p.GetValue(UpdateMaxFailureRatio),
                rollbackParallelism = p.GetValue(RollbackParallelism), rollbackDelay = p.GetValue(RollbackDelay), rollbackOrder = p.GetValue(RollbackOrder),
                rollbackFailureAction = p.GetValue(RollbackFailureAction), rollbackMonitor = p.GetValue(RollbackMonitor),
                rollbackMaxFailureRatio = p.GetValue(RollbackMaxFailureRatio),
                healthCmd = p.GetValue(HealthCmd), healthInterval = p.GetValue(HealthInterval), healthTimeout = p.GetValue(HealthTimeout),
                healthStartPeriod = p.GetValue(HealthStartPeriod), healthRetries = p.GetValue(HealthRetries),
                healthHttp = p.GetValue(HealthHttp), healthTcp = p.GetValue(HealthTcp), network = p.GetValue(Network),
                noHealthcheck = p.GetValue(NoHealthcheck) ? true : (bool?)null,
                ports = p.GetValue(Port) is { Length: > 0 } ports ? ports : null, env, command = NullIfEmpty(p.GetValue(Command)),
                generic = NullIfEmpty(p.GetValue(Generic)), topologySpread = NullIfEmpty(p.GetValue(Topology)),
            };
        }
    }

    public static Command Create()
    {
        var service = new Command("service", "Replicated services.");
        service.Subcommands.Add(CreateOrUpdate(create: true));
        service.Subcommands.Add(CreateOrUpdate(create: false));
        service.Subcommands.Add(List());
        service.Subcommands.Add(Ps());
        service.Subcommands.Add(Scale());
        service.Subcommands.Add(DeploymentCommands.Rollback());
        service.Subcommands.Add(DeploymentCommands.List());
        var name = new Argument<string>("NAME");
        var inspect = new Command("inspect", "Show a service as JSON: spec, version, tasks.") { name };
        SetAction(inspect, async (parse, api) => { PrintJson(await api.GetAsync($"v1/services/{Uri.EscapeDataString(parse.GetValue(name)!)}")); return ExitCodes.Ok; });
        service.Subcommands.Add(inspect);
        var rmName = new Argument<string>("NAME");
        var rm = new Command("rm", "Remove a service: its tasks are stopped and its containers removed.") { rmName };
        SetAction(rm, async (parse, api) => { await api.DeleteAsync($"v1/services/{Uri.EscapeDataString(parse.GetValue(rmName)!)}"); Console.WriteLine($"{parse.GetValue(rmName)} removed"); return ExitCodes.Ok; });
        service.Subcommands.Add(rm);
        return service;
    }

    private static Command CreateOrUpdate(bool create)
    {
        var name = new Argument<string>("NAME");
        var options = new SpecOptions();
        var c = new Command(create ? "create" : "update", create ? "Create a service." : "Change a service; changes other than replicas roll out as an update.") { name };
        options.AddTo(c);
        var (wait, timeout) = DeploymentCommands.WaitOptions(c);
        SetAction(c, async (parse, api) =>
        {
            var body = options.Body(parse, parse.GetValue(name)!);
            var s = create ? await api.PostAsync("v1/services", body) : await api.PutAsync($"v1/services/{Uri.EscapeDataString(parse.GetValue(name)!)}", body);
            if (parse.GetValue(Json)) PrintJson(s);
            else Console.WriteLine($"service {S(s?["spec"]?["name"])} {(create ? "created" : "updated")}: version {S(s?["version"])}, {S(s?["spec"]?["replicas"])} replicas");
            return parse.GetValue(wait) ? await DeploymentCommands.WaitAsync(api, parse.GetValue(name)!, s, parse.GetValue(timeout)) : ExitCodes.Ok;
        });
        return c;
    }

    private static Command List()
    {
        var ls = new Command("ls", "List services: image, replicas running/desired, pending.");
        SetAction(ls, async (parse, api) =>
        {
            var services = await api.GetAsync("v1/services");
            if (parse.GetValue(Json)) { PrintJson(services); return ExitCodes.Ok; }
            var t = Table("NAME", "IMAGE", "REPLICAS", "PENDING", "VERSION", "UPDATING");
            foreach (var s in services!.AsArray())
                Row(t, S(s!["spec"]!["name"]), S(s["spec"]!["image"]), $"{S(s["running"])}/{S(s["spec"]!["replicas"])}", S(s["pending"]), S(s["version"]),
                    s["updateInProgress"]!.GetValue<bool>() ? "yes" : "");
            Spectre.Console.AnsiConsole.Write(t);
            return ExitCodes.Ok;
        });
        return ls;
    }

    private static Command Ps()
    {
        var name = new Argument<string>("NAME");
        var ps = new Command("ps", "The tasks of a service: slot, state, node, message.") { name };
        SetAction(ps, async (parse, api) =>
        {
            var tasks = await api.GetAsync($"v1/tasks?service={Uri.EscapeDataString(parse.GetValue(name)!)}");
            if (parse.GetValue(Json)) { PrintJson(tasks); return ExitCodes.Ok; }
            if (tasks!.AsArray().Count == 0) await api.GetAsync($"v1/services/{Uri.EscapeDataString(parse.GetValue(name)!)}"); // 404 for an unknown service
            var t = Table("TASK", "STATE", "DESIRED", "NODE", "MESSAGE");
            foreach (var x in tasks.AsArray())
            {
                var task = x!["task"]!;
                Row(t, S(task["taskId"]), S(task["state"]), S(task["desired"]), S(task["node"]), S(task["message"]));
            }
            Spectre.Console.AnsiConsole.Write(t);
            return ExitCodes.Ok;
        });
        return ps;
    }

    private static Command Scale()
    {
        var target = new Argument<string>("NAME=REPLICAS") { Description = "e.g. web=10" };
        var scale = new Command("scale", "Change the number of replicas.") { target };
        var (wait, timeout) = DeploymentCommands.WaitOptions(scale);
        SetAction(scale, async (parse, api) =>
        {
            var text = parse.GetValue(target)!;
            int eq = text.IndexOf('=');
            if (eq <= 0 || !int.TryParse(text[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                throw new ArgumentException($"{text}: expected NAME=REPLICAS, e.g. web=10");
            var s = await api.PostAsync($"v1/services/{Uri.EscapeDataString(text[..eq])}/scale", new { replicas = n });
            if (parse.GetValue(Json)) PrintJson(s);
            else Console.WriteLine($"{text[..eq]} scaled to {n}");
            return parse.GetValue(wait) ? await DeploymentCommands.WaitForReplicasAsync(api, text[..eq], n, parse.GetValue(timeout)) : ExitCodes.Ok;
        });
        return scale;
    }
}
