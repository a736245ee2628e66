using System.Globalization;
using Orca.Grains.Model;

namespace Orca.Simulator.Scenarios;

/// <summary><c>add-nodes</c> adds many nodes spread over racks (and zones); <c>add-node</c> adds one.</summary>
internal static class NodeRows
{
    private static readonly string[] ManyKeys = ["count", "racks", "zones", "cpu", "memory", "label", "role", "os", "arch", "engine-label", "subnet", "generic"];
    private static readonly string[] OneKeys = ["cpu", "memory", "label", "role", "rack", "zone", "os", "arch", "engine-label", "ip", "hostname", "generic"];

    /// <summary>Nodes PREFIX0001…: in contiguous blocks per rack r1…rN; rack i sits in zone z((i-1) mod zones + 1).</summary>
    public static void AddNodes(RawRow row, ParseState state)
    {
        var ctx = row.Context;
        var p = ParamList.Parse(row.Params, ctx, false);
        int? count = p.Int("count", 1, 1_000_000);
        if (count is null && !p.Has("count")) ctx.ParamError("count is required (how many nodes)");
        int racks = p.Int("racks", 1, 100_000) ?? 1;
        int zones = p.Int("zones", 0, 1000) ?? 0;
        var (capacity, labels, role, description) = Common(p, ctx);
        var subnet = p.String("subnet") is { } text ? Subnet(text, ctx) : null;
        var generic = ServiceRows.Generic(p, ctx, named: true);
        p.RejectUnknown(ManyKeys);
        if (!Names.IsValid(row.Target + "1")) ctx.TargetError($"'{row.Target}' is not a node name prefix: {Names.Rule}");
        if (count is not { } n) return;
        if (racks > n) ctx.ParamError($"racks={racks} is more than count={n}");
        if (subnet is { } sn && n >= (1L << (32 - sn.PrefixLength)) - 1)
        {
            ctx.ParamError($"subnet={sn}: too small for {n} nodes");
            subnet = null;
        }
        int width = Math.Max(4, n.ToString(CultureInfo.InvariantCulture).Length);
        var nodes = new List<NodeSpec>(n);
        for (int i = 0; i < n; i++)
        {
            var id = row.Target + (i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
            int rack = (int)((long)i * racks / n) + 1;
            var nodeLabels = new Dictionary<string, string>(labels, StringComparer.Ordinal) { [state.RackLabel] = $"r{rack}" };
            if (zones > 0) nodeLabels["zone"] = $"z{(rack - 1) % zones + 1}";
            var address = subnet is { } net ? AddressAt(net, i + 1) : null;
            nodes.Add(new NodeSpec(id, capacity, nodeLabels, role, null, description with { Hostname = id, Address = address }, generic));
        }
        Add(row, state, nodes);
    }

    public static void AddNode(RawRow row, ParseState state)
    {
        var ctx = row.Context;
        var p = ParamList.Parse(row.Params, ctx, false);
        var (capacity, labels, role, description) = Common(p, ctx);
        description = description with { Hostname = p.String("hostname") ?? row.Target, Address = p.String("ip") };
        if (description.Address is { } ip && !System.Net.IPAddress.TryParse(ip, out _)) ctx.ParamError($"ip={ip}: not an IP address (e.g. 10.0.1.5)");
        var nodeLabels = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        if (p.String("rack") is { } rack) nodeLabels[state.RackLabel] = rack;
        if (p.String("zone") is { } zone) nodeLabels["zone"] = zone;
        var generic = ServiceRows.Generic(p, ctx, named: true);
        p.RejectUnknown(OneKeys);
        if (!Names.IsValid(row.Target)) { ctx.TargetError($"'{row.Target}' is not a node id: {Names.Rule}"); return; }
        Add(row, state, [new NodeSpec(row.Target, capacity, nodeLabels, role, null, description, generic)]);
    }

    private static void Add(RawRow row, ParseState state, List<NodeSpec> nodes)
    {
        foreach (var node in nodes)
        {
            if (state.Nodes.ContainsKey(node.Id) || state.RemovedNodes.Contains(node.Id))
            {
                row.Context.TargetError($"node {node.Id} was already added by an earlier row; choose another prefix or id");
                return;
            }
        }
        foreach (var node in nodes)
        {
            state.Nodes.Add(node.Id, node);
            state.NodeOrder.Add(node.Id);
        }
        state.Steps.Add(new AddNodesStep(row.Line, row.At, nodes));
    }

    /// <summary><c>update-node SELECTOR label-add=NAME=VALUE label-rm=NAME role=… cpu=… memory=…</c> (as
    /// <c>orca node update</c>); later rows select by the new labels.</summary>
    public static void Update(RawRow row, ParseState state)
    {
        var ctx = row.Context;
        var p = ParamList.Parse(row.Params, ctx, false);
        var add = Pairs(p, "label-add", ctx);
        var remove = p.Repeated("label-rm");
        var role = p.Choice("role", ("worker", NodeRole.Worker), ("manager", NodeRole.Manager));
        long? cpu = p.Cpu("cpu"), memory = p.Bytes("memory");
        var generic = ServiceRows.Generic(p, ctx, named: true, removing: true);
        p.RejectUnknown(["label-add", "label-rm", "role", "cpu", "memory", "generic"]);
        if (add.Count == 0 && remove.Count == 0 && role is null && cpu is null && memory is null && generic is null)
            ctx.ParamError("nothing to change: give label-add=NAME=VALUE, label-rm=NAME, role=, cpu=, memory= or generic=");
        var change = new NodeChange(add, remove, role, cpu, memory, generic);
        var nodes = FaultRows.Select(row.Target, row, state);
        foreach (var id in nodes)
        {
            try
            {
                state.Nodes[id] = change.ApplyTo(state.Nodes[id]);
            }
            catch (ArgumentException e)
            {
                ctx.ParamError(e.Message);
                return;
            }
        }
        if (nodes.Count > 0) state.Steps.Add(new UpdateNodesStep(row.Line, row.At, nodes, change));
    }

    /// <summary><c>remove-node SELECTOR [force=true]</c> (as <c>orca node rm</c>): later rows no longer see the nodes.</summary>
    public static void Remove(RawRow row, ParseState state)
    {
        var p = ParamList.Parse(row.Params, row.Context, false);
        bool force = p.Choice("force", ("true", true), ("false", false)) ?? false;
        p.RejectUnknown(["force"]);
        var nodes = FaultRows.Select(row.Target, row, state);
        foreach (var id in nodes)
        {
            state.Nodes.Remove(id);
            state.NodeOrder.Remove(id);
            state.RemovedNodes.Add(id);
        }
        if (nodes.Count > 0) state.Steps.Add(new RemoveNodesStep(row.Line, row.At, nodes, force));
    }

    private static (Resources, Dictionary<string, string>, NodeRole, NodeDescription) Common(ParamList p, RowContext ctx)
    {
        long cpu = p.Cpu("cpu") ?? 4000;
        long memory = p.Bytes("memory") ?? 8L << 30;
        if (cpu <= 0) ctx.ParamError("cpu must be more than 0");
        if (memory <= 0) ctx.ParamError("memory must be more than 0");
        var labels = Pairs(p, "label", ctx);
        var role = p.Choice("role", ("worker", NodeRole.Worker), ("manager", NodeRole.Manager)) ?? NodeRole.Worker;
        // What a Docker engine would report of itself: linux/x86_64 unless the row says otherwise.
        var description = new NodeDescription("", p.String("os") ?? "linux", p.String("arch") ?? "x86_64", Pairs(p, "engine-label", ctx));
        return (new Resources(cpu, memory), labels, role, description);
    }

    /// <summary>Repeated <c>KEY=NAME=VALUE</c> parameters as a map.</summary>
    private static Dictionary<string, string> Pairs(ParamList p, string key, RowContext ctx)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in p.Repeated(key))
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) ctx.ParamError($"{key}={pair}: expected {key}=NAME=VALUE, e.g. {key}=disk=ssd");
            else map[pair[..eq]] = pair[(eq + 1)..];
        }
        return map;
    }

    private static System.Net.IPNetwork? Subnet(string text, RowContext ctx)
    {
        if (System.Net.IPNetwork.TryParse(text, out var net) && net.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) return net;
        ctx.ParamError($"subnet={text}: expected an IPv4 network such as 10.1.0.0/16");
        return null;
    }

    /// <summary>The <paramref name="n"/>-th address of the network (1: the one after the network's own).</summary>
    private static string AddressAt(System.Net.IPNetwork net, int n)
    {
        var bytes = net.BaseAddress.GetAddressBytes();
        uint value = ((uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3]) + (uint)n;
        return new System.Net.IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]).ToString();
    }
}
