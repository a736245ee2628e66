using System.Globalization;

namespace Orca.Simulator.Scenarios;

/// <summary><c>expect,SERVICE,running=6 pending=0 max-per-rack&lt;=1</c> or <c>expect,cluster,violations=0 nodes-up=300</c>.</summary>
internal static class ExpectRows
{
    public static readonly string[] ServiceMetrics =
    [
        "running", "pending", "desired", "restarts", "max-per-rack", "min-per-rack", "rack-spread", "max-per-node", "version", "deployment",
        "deployment-failed", "update-min-running",
    ];

    private static readonly string[] DeploymentStates = ["updating", "paused", "completed", "rollback_started", "rollback_paused", "rollback_completed"];
    public static readonly string[] ClusterMetrics = ["running", "pending", "violations", "nodes-up", "nodes-down", "services"];

    /// <summary><c>expect,node:ID,tasks=0</c>: tasks assigned, starting or running on the node; running ones.</summary>
    public static readonly string[] NodeMetrics = ["tasks", "running"];

    public static void Expect(RawRow row, ParseState state)
    {
        var ctx = row.Context;
        var p = ParamList.Parse(row.Params, ctx, allowComparisons: true);
        bool cluster = row.Target == ExpectStep.ClusterTarget;
        var node = ExpectStep.NodeOf(row.Target);
        if (node is not null && !state.Nodes.ContainsKey(node) && !state.RemovedNodes.Contains(node))
            ctx.TargetError($"'{row.Target}': no node '{node}' has been added by {Orca.Grains.Model.QuantityFormat.Duration(row.At)}");
        else if (node is null && !cluster && !state.Services.ContainsKey(row.Target))
            ctx.TargetError($"'{row.Target}' is neither 'cluster', node:ID nor a service that exists at {Orca.Grains.Model.QuantityFormat.Duration(row.At)}");
        var known = cluster ? ClusterMetrics : node is not null ? NodeMetrics : ServiceMetrics;
        var checks = new List<ExpectCheck>();
        foreach (var param in p.All)
        {
            if (!known.Contains(param.Key))
            {
                ctx.ParamError($"unknown metric '{param.Key}' for expect {(cluster ? "cluster" : node is not null ? "node:ID" : "SERVICE")}; expected one of {string.Join(", ", known)}");
                continue;
            }
            if (param.Key == "deployment")
            {
                int code = Array.IndexOf(DeploymentStates, param.Value);
                if (code < 0 || param.Op is not CompareOp.Equal)
                    ctx.ParamError($"deployment={param.Value}: expected deployment=STATE, one of {string.Join(", ", DeploymentStates)}");
                else checks.Add(new ExpectCheck(param.Key, param.Op, code));
                continue;
            }
            if (!long.TryParse(param.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                ctx.ParamError($"{param.Key}: '{param.Value}' is not a whole number of 0 or more");
                continue;
            }
            checks.Add(new ExpectCheck(param.Key, param.Op, value));
        }
        if (checks.Count == 0 && p.All.Count == 0) ctx.ParamError($"nothing to check; expected e.g. {(cluster ? "violations=0" : "running=6 pending=0")}");
        if (checks.Count > 0) state.Steps.Add(new ExpectStep(row.Line, row.At, row.Target, checks));
    }
}
