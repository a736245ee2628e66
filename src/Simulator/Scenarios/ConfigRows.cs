using Orca.Simulator.Runtime;

namespace Orca.Simulator.Scenarios;

/// <summary><c>config,cluster,…</c> sets the control plane's timing; <c>config,sim,…</c> the simulated world's.</summary>
internal static class ConfigRows
{
    private static readonly string[] ClusterKeys = ["heartbeat", "suspect-after", "down-after", "batch-delay", "reconcile-debounce", "stop-grace"];
    private static readonly string[] SimKeys = ["latency", "api-latency", "unreachable-timeout", "start-delay", "pull-delay", "stop-delay", "sample", "rack-label", "silos", "silo-dead-after", "disable-filter"];

    public static void Config(RawRow row, ParseState state)
    {
        var ctx = row.Context;
        if (row.At != TimeSpan.Zero) ctx.Error(RowContext.TimeColumn, "time", "config rows must be at time 0");
        var p = ParamList.Parse(row.Params, ctx, false);
        switch (row.Target.ToLowerInvariant())
        {
            case "cluster":
                var c = state.Cluster;
                state.Cluster = c with
                {
                    HeartbeatInterval = Positive(p.Duration("heartbeat"), "heartbeat", ctx) ?? c.HeartbeatInterval,
                    SuspectAfterMissedHeartbeats = p.Int("suspect-after", 1, 1000) ?? c.SuspectAfterMissedHeartbeats,
                    DownAfter = Positive(p.Duration("down-after"), "down-after", ctx) ?? c.DownAfter,
                    SchedulerBatchDelay = p.Duration("batch-delay") ?? c.SchedulerBatchDelay,
                    ReconcileDebounce = p.Duration("reconcile-debounce") ?? c.ReconcileDebounce,
                    StopGracePeriod = p.Duration("stop-grace") ?? c.StopGracePeriod,
                };
                p.RejectUnknown(ClusterKeys);
                break;
            case "sim":
                var h = state.Hosts;
                var latency = p.DurationRange("latency");
                if (latency is { } l) state.Network = new NetworkModel(l.Min, l.Max - l.Min);
                var api = p.DurationRange("api-latency");
                var start = p.DurationRange("start-delay");
                var pull = p.DurationRange("pull-delay");
                var stop = p.DurationRange("stop-delay");
                state.Hosts = h with
                {
                    ApiLatencyMin = api?.Min ?? h.ApiLatencyMin, ApiLatencyMax = api?.Max ?? h.ApiLatencyMax,
                    UnreachableTimeout = Positive(p.Duration("unreachable-timeout"), "unreachable-timeout", ctx) ?? h.UnreachableTimeout,
                    StartDelayMin = start?.Min ?? h.StartDelayMin, StartDelayMax = start?.Max ?? h.StartDelayMax,
                    PullDelayMin = pull?.Min ?? h.PullDelayMin, PullDelayMax = pull?.Max ?? h.PullDelayMax,
                    StopDelayMin = stop?.Min ?? h.StopDelayMin, StopDelayMax = stop?.Max ?? h.StopDelayMax,
                };
                state.SampleInterval = Positive(p.Duration("sample"), "sample", ctx) ?? state.SampleInterval;
                state.RackLabel = p.String("rack-label") ?? state.RackLabel;
                state.Silos = p.Int("silos", 1, 64) ?? state.Silos;
                state.DisabledFilters.AddRange(DisabledFilters(p, ctx));
                state.SiloDeadAfter = Positive(p.Duration("silo-dead-after"), "silo-dead-after", ctx) ?? state.SiloDeadAfter;
                p.RejectUnknown(SimKeys);
                break;
            default:
                ctx.TargetError($"'{row.Target}': expected cluster (control-plane timing) or sim (simulated hosts and network)");
                break;
        }
    }

    /// <summary>Mutation testing: scheduler filters to switch off, so that property checks can prove they catch the bug.</summary>
    private static IEnumerable<string> DisabledFilters(ParamList p, RowContext ctx)
    {
        foreach (var name in p.Repeated("disable-filter"))
        {
            if (Orca.Grains.Scheduling.FilterSet.Names.Contains(name)) yield return name;
            else ctx.ParamError($"disable-filter={name}: expected one of {string.Join(", ", Orca.Grains.Scheduling.FilterSet.Names)}");
        }
    }

    private static TimeSpan? Positive(TimeSpan? value, string key, RowContext ctx)
    {
        if (value is { } v && v <= TimeSpan.Zero)
        {
            ctx.ParamError($"{key} must be more than 0");
            return null;
        }
        return value;
    }
}
