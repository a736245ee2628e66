using System.Globalization;
using Orca.Grains.Model;

namespace Orca.Simulator.Scenarios;

/// <summary><c>add-nodes</c> adds many nodes spread over racks (and zones); <c>add-node</c> adds one.</summary>
internal static class NodeRows
{
    private static readonly string[] ManyKeys = ["count", "racks", "zones", "cpu", "memory", "label", "role"];
    private static readonly string[] OneKeys = ["cpu", "memory", "label", "role", "rack", "zone"];

    /// <summary>Nodes PREFIX0001…: in contiguous blocks per rack r1…rN; rack i sits in zone z((i-1) mod zones + 1).</summary>
    public static void AddNodes(RawRow row, ParseState state)
    {
        var ctx = row.Context;
        var p = ParamList.Parse(row.Params, ctx, false);
        int? count = p.Int("count", 1, 1_000_000);
        if (count is null && !p.Has("count")) ctx.ParamError("count is required (how many nodes)");
        int racks = p.Int("racks", 1, 100_000) ?? 1;
        int zones = p.Int("zones", 0, 1000) ?? 0;
        var (capacity, labels, role) = Common(p, ctx);
        p.RejectUnknown(ManyKeys);
        if (!Names.IsValid(row.Target + "1")) ctx.TargetError($"'{row.Target}' is not a node name prefix: {Names.Rule}");
        if (count is not { } n) return;
        if (racks > n) ctx.ParamError($"racks={racks} is more than count={n}");
        int width = Math.Max(4, n.ToString(CultureInfo.InvariantCulture).Length);
        var nodes = new List<NodeSpec>(n);
        for (int i = 0; i < n; i++)
        {
            var id = row.Target + (i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
            int rack = (int)((long)i * racks / n) + 1;
            var nodeLabels = new Dictionary<string, string>(labels, StringComparer.Ordinal) { [state.RackLabel] = $"r{rack}" };
            if (zones > 0) nodeLabels["zone"] = $"z{(rack - 1) % zones + 1}";
            nodes.Add(new NodeSpec(id, capacity, nodeLabels, role));
        }
        Add(row, state, nodes);
    }

    public static void AddNode(RawRow row, ParseState state)
    {
        var ctx = row.Context;
        var p = ParamList.Parse(row.Params, ctx, false);
        var (capacity, labels, role) = Common(p, ctx);
        var nodeLabels = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        if (p.String("rack") is { } rack) nodeLabels[state.RackLabel] = rack;
        if (p.String("zone") is { } zone) nodeLabels["zone"] = zone;
        p.RejectUnknown(OneKeys);
        if (!Names.IsValid(row.Target)) { ctx.TargetError($"'{row.Target}' is not a node id: {Names.Rule}"); return; }
        Add(row, state, [new NodeSpec(row.Target, capacity, nodeLabels, role)]);
    }

    private static void Add(RawRow row, ParseState state, List<NodeSpec> nodes)
    {
        foreach (var node in nodes)
        {
            if (state.Nodes.ContainsKey(node.Id))
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

    private static (Resources, Dictionary<string, string>, NodeRole) Common(ParamList p, RowContext ctx)
    {
        long cpu = p.Cpu("cpu") ?? 4000;
        long memory = p.Bytes("memory") ?? 8L << 30;
        if (cpu <= 0) ctx.ParamError("cpu must be more than 0");
        if (memory <= 0) ctx.ParamError("memory must be more than 0");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in p.Repeated("label"))
        {
            int eq = label.IndexOf('=');
            if (eq <= 0) ctx.ParamError($"label={label}: expected label=NAME=VALUE, e.g. label=disk=ssd");
            else labels[label[..eq]] = label[(eq + 1)..];
        }
        var role = p.Choice("role", ("worker", NodeRole.Worker), ("manager", NodeRole.Manager)) ?? NodeRole.Worker;
        return (new Resources(cpu, memory), labels, role);
    }
}
