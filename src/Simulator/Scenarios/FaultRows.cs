using Orca.Grains.Model;

namespace Orca.Simulator.Scenarios;

/// <summary>Faults and operator actions on nodes chosen by a selector: a node id, ids separated by ';',
/// <c>LABEL=VALUE</c> (e.g. <c>rack=r3</c>, <c>zone=z1</c>) or <c>all</c>. <c>crash-rack r3</c> means <c>crash rack=r3</c>.</summary>
internal static class FaultRows
{
    public static void Fault(RawRow row, ParseState state, FaultKind kind, bool rack = false)
    {
        var p = ParamList.Parse(row.Params, row.Context, false);
        double factor = 1;
        if (kind == FaultKind.Slow)
        {
            factor = p.Double("factor", 1, 1000) ?? 1;
            if (!p.Has("factor")) row.Context.ParamError("factor is required for slow, e.g. factor=5 (every delay five times longer)");
        }
        p.RejectUnknown(kind == FaultKind.Slow ? ["factor"] : []);
        var selector = rack ? $"{state.RackLabel}={row.Target}" : row.Target;
        // What happens to a host (a crash, a cut cable) may happen after its node was removed; operator actions may not.
        bool hostFault = kind is FaultKind.Crash or FaultKind.Recover or FaultKind.Partition or FaultKind.Heal or FaultKind.Slow;
        var nodes = Select(selector, row, state, hostFault);
        if (nodes.Count == 0) return;
        state.Steps.Add(new FaultStep(row.Line, row.At, kind, selector, nodes, factor));
    }

    /// <summary><c>crash-silo silo2</c> / <c>recover-silo silo2</c>: one of the silos set by <c>config,sim,silos=N</c>.</summary>
    public static void Silo(RawRow row, ParseState state, FaultKind kind)
    {
        ParamList.Parse(row.Params, row.Context, false).RejectUnknown([]);
        var names = Enumerable.Range(1, state.Silos).Select(i => $"silo{i}").ToList();
        if (!names.Contains(row.Target))
        {
            row.Context.TargetError($"'{row.Target}' is not a silo; expected one of {string.Join(", ", names)} (set how many with config,sim,silos=N)");
            return;
        }
        state.Steps.Add(new FaultStep(row.Line, row.At, kind, row.Target, [], 1));
    }

    public static void CrashStorm(RawRow row, ParseState state)
    {
        var p = ParamList.Parse(row.Params, row.Context, false);
        var duration = p.Duration("duration");
        int crashes = p.Int("crashes", 1, 1_000_000) ?? 0;
        var downtime = p.DurationRange("downtime") ?? (TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));
        if (duration is null && !p.Has("duration")) row.Context.ParamError("duration is required, e.g. duration=1h");
        if (!p.Has("crashes")) row.Context.ParamError("crashes is required (how many crashes), e.g. crashes=200");
        p.RejectUnknown(["duration", "crashes", "downtime"]);
        var nodes = Select(row.Target, row, state);
        if (nodes.Count == 0 || duration is not { } d || crashes == 0) return;
        state.Steps.Add(new CrashStormStep(row.Line, row.At, row.Target, nodes, d, crashes, downtime.Item1, downtime.Item2));
    }

    internal static List<string> Select(string selector, RawRow row, ParseState state, bool removedToo = false)
    {
        var result = new List<string>();
        if (selector.Length == 0)
        {
            row.Context.TargetError("missing node selector: a node id, ids separated by ';', LABEL=VALUE (rack=r3) or all");
            return result;
        }
        if (selector == "all") result.AddRange(state.NodeOrder);
        else if (selector.Contains('='))
        {
            int eq = selector.IndexOf('=');
            var (label, value) = (selector[..eq], selector[(eq + 1)..]);
            result.AddRange(state.NodeOrder.Where(id => state.Nodes[id].Label(label) == value));
        }
        else
        {
            foreach (var id in selector.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (state.Nodes.ContainsKey(id) || removedToo && state.RemovedNodes.Contains(id)) result.Add(id);
                else row.Context.TargetError($"no node '{id}' has been added by {QuantityFormat.Duration(row.At)}");
            }
            return result;
        }
        if (result.Count == 0) row.Context.TargetError($"'{selector}' selects no node added by {QuantityFormat.Duration(row.At)}");
        return result;
    }
}
