using System.CommandLine;
using static Orca.Cli.ApiCommand;

namespace Orca.Cli;

/// <summary><c>orca node add | ls | inspect | update | rm | drain | activate | pause</c>.</summary>
public static class NodeCommands
{
    public static Command Create()
    {
        var node = new Command("node", "Docker hosts in the cluster.");
        node.Subcommands.Add(Add());
        node.Subcommands.Add(List());
        node.Subcommands.Add(Inspect());
        node.Subcommands.Add(Update());
        node.Subcommands.Add(Remove());
        foreach (var (verb, help) in new[] { ("drain", "Move a node's tasks away and place no new ones there."), ("activate", "Let a node take tasks again."), ("pause", "Place no new tasks on a node; keep those it runs.") })
        {
            var id = new Argument<string>("ID");
            var c = new Command(verb, help) { id };
            if (verb == "pause") c.Aliases.Add("cordon"); // Kubernetes' names for the same things
            if (verb == "activate") c.Aliases.Add("uncordon");
            SetAction(c, async (parse, api) =>
            {
                var n = await api.PostAsync($"v1/nodes/{Uri.EscapeDataString(parse.GetValue(id)!)}/{verb}");
                if (parse.GetValue(Json)) PrintJson(n);
                else Console.WriteLine($"{S(n?["spec"]?["id"])}: {S(n?["availability"])}");
                return ExitCodes.Ok;
            });
            node.Subcommands.Add(c);
        }
        return node;
    }

    private static Command Add()
    {
        var id = new Argument<string>("ID") { Description = "The node's id (letters, digits, - or _)." };
        var docker = new Option<string>("--docker") { Description = "Its Docker Engine endpoint: unix:///var/run/docker.sock or tcp://host:2375.", Required = true };
        var labels = new Option<string[]>("--label") { Description = "A label NAME=VALUE (repeatable), e.g. rack=r1.", AllowMultipleArgumentsPerToken = false };
        var cpu = new Option<string?>("--cpu") { Description = "CPU capacity (default: what the host reports)." };
        var memory = new Option<string?>("--memory") { Description = "Memory capacity (default: what the host reports)." };
        var role = new Option<string?>("--role") { Description = "worker (default) or manager." };
        var generic = new Option<string[]>("--generic-resource") { Description = "A generic resource of the node: KIND=COUNT (apple=10) or KIND=NAME,NAME (gpu=GPU-0,GPU-1), repeatable." };
        var address = new Option<string?>("--address") { Description = "The IP address its tasks are reached at (node.ip; default: the endpoint's host, 127.0.0.1 for a unix socket)." };
        var add = new Command("add", "Add a Docker host to the cluster (it must answer).") { id, docker, labels, cpu, memory, role, address, generic };
        SetAction(add, async (parse, api) =>
        {
            var n = await api.PostAsync("v1/nodes", new { id = parse.GetValue(id), docker = parse.GetValue(docker), labels = Labels(parse.GetValue(labels), "--label"),
                cpu = parse.GetValue(cpu), memory = parse.GetValue(memory), role = parse.GetValue(role), address = parse.GetValue(address),
                generic = parse.GetValue(generic) is { Length: > 0 } g ? g : null });
            if (parse.GetValue(Json)) PrintJson(n);
            else Console.WriteLine($"node {S(n?["spec"]?["id"])} added: {S(n?["status"])}");
            return ExitCodes.Ok;
        });
        return add;
    }

    private static Dictionary<string, string> Labels(string[]? values, string option)
    {
        var map = new Dictionary<string, string>();
        foreach (var l in values ?? [])
        {
            int eq = l.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"{option} {l}: expected NAME=VALUE, e.g. rack=r1");
            map[l[..eq]] = l[(eq + 1)..];
        }
        return map;
    }

    private static Command Update()
    {
        var id = new Argument<string>("ID");
        var add = new Option<string[]>("--label-add") { Description = "Add or replace a label NAME=VALUE (repeatable)." };
        var rm = new Option<string[]>("--label-rm") { Description = "Remove a label by NAME (repeatable)." };
        var role = new Option<string?>("--role") { Description = "worker or manager." };
        var cpu = new Option<string?>("--cpu") { Description = "New CPU capacity." };
        var memory = new Option<string?>("--memory") { Description = "New memory capacity." };
        var generic = new Option<string[]>("--generic-resource") { Description = "Replace a generic resource: KIND=COUNT or KIND=NAME,NAME (KIND=0 removes it), repeatable." };
        var update = new Command("update", "Change a node's labels, role or capacity; tasks it no longer satisfies move elsewhere.") { id, add, rm, role, cpu, memory, generic };
        SetAction(update, async (parse, api) =>
        {
            var n = await api.PatchAsync($"v1/nodes/{Uri.EscapeDataString(parse.GetValue(id)!)}", new
            {
                labelAdd = Labels(parse.GetValue(add), "--label-add"), labelRm = parse.GetValue(rm) ?? [],
                role = parse.GetValue(role), cpu = parse.GetValue(cpu), memory = parse.GetValue(memory),
                generic = parse.GetValue(generic) is { Length: > 0 } g ? g : null,
            });
            if (parse.GetValue(Json)) PrintJson(n);
            else Console.WriteLine($"node {S(n?["spec"]?["id"])} updated");
            return ExitCodes.Ok;
        });
        return update;
    }

    private static Command Remove()
    {
        var id = new Argument<string>("ID");
        var force = new Option<bool>("--force", "-f") { Description = "Remove a node that is neither down nor drained: its tasks are stopped and replaced elsewhere." };
        var rm = new Command("rm", "Remove a node that is down or drained (its containers are stopped, the host forgotten).") { id, force };
        SetAction(rm, async (parse, api) =>
        {
            var node = parse.GetValue(id)!;
            await api.DeleteAsync($"v1/nodes/{Uri.EscapeDataString(node)}" + (parse.GetValue(force) ? "?force=true" : ""));
            Console.WriteLine($"node {node} removed");
            return ExitCodes.Ok;
        });
        return rm;
    }

    private static Command List()
    {
        var ls = new Command("ls", "List nodes: status, availability, role, labels, capacity, generic resources.");
        SetAction(ls, async (parse, api) =>
        {
            var nodes = await api.GetAsync("v1/nodes");
            if (parse.GetValue(Json)) { PrintJson(nodes); return ExitCodes.Ok; }
            var t = Table("ID", "STATUS", "AVAILABILITY", "ROLE", "LABELS", "CPU", "MEMORY", "GENERIC", "ENDPOINT");
            foreach (var n in nodes!.AsArray())
            {
                var spec = n!["spec"]!;
                var labels = string.Join(",", spec["labels"]!.AsObject().Select(kv => $"{kv.Key}={S(kv.Value)}"));
                // gpu=GPU-0,GPU-1 for named units, apple=10 for a count; several kinds separated by spaces
                var generic = string.Join(" ", (spec["generic"]?.AsArray() ?? []).Select(g =>
                    $"{S(g!["kind"])}={(g["names"] is { } names ? string.Join(",", names.AsArray().Select(S)) : S(g["count"]))}"));
                Row(t, S(spec["id"]), S(n["status"]), S(n["availability"]), S(spec["role"]), labels,
                    Orca.Grains.Model.QuantityFormat.Cpu(spec["capacity"]!["cpuMillis"]!.GetValue<long>()),
                    Orca.Grains.Model.QuantityFormat.Bytes(spec["capacity"]!["memoryBytes"]!.GetValue<long>()), generic, S(spec["endpoint"]));
            }
            Spectre.Console.AnsiConsole.Write(t);
            return ExitCodes.Ok;
        });
        return ls;
    }

    private static Command Inspect()
    {
        var id = new Argument<string>("ID");
        var inspect = new Command("inspect", "Show one node as JSON.") { id };
        SetAction(inspect, async (parse, api) =>
        {
            PrintJson(await api.GetAsync($"v1/nodes/{Uri.EscapeDataString(parse.GetValue(id)!)}"));
            return ExitCodes.Ok;
        });
        return inspect;
    }
}
