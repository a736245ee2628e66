using Orca.Grains.Model;
using Orca.Simulator.Engine;
using Orca.Simulator.Results;
using Orca.Simulator.Scenarios;

namespace Orca.Simulator.Metrics;

/// <summary>Time series, placements, faults with their time to converge, and expect rows.</summary>
public sealed partial class SimObserver
{
    private readonly CsvLineWriter _timeseries;
    private readonly CsvLineWriter _placements;
    private readonly List<ObservedFault> _faults = [];
    private readonly List<ObservedFault> _openFaults = [];
    private readonly List<ExpectResult> _expects = [];

    public IReadOnlyList<ObservedFault> Faults => _faults;
    public IReadOnlyList<ExpectResult> Expects => _expects;

    /// <summary>How long after a fault a service that lost replicas may take before the fault stops waiting for it.</summary>
    public TimeSpan FaultWindow { get; set; } = TimeSpan.FromMinutes(2);

    public void Fault(TimeSpan at, string description, bool disruptive)
    {
        _events.Seconds(at).Field("fault").Field(description).Empty().Empty().Empty().Empty().Empty().End();
        if (!disruptive) return;
        var fault = new ObservedFault(at, description);
        _faults.Add(fault);
        _openFaults.Add(fault);
    }

    private void RunningChanged(TimeSpan now, ObservedService svc)
    {
        svc.NoteRunningWhileUpdating();
        if (_openFaults.Count == 0) return;
        bool below = svc.Running < svc.Desired;
        foreach (var f in _openFaults)
        {
            if (below) f.Affected.TryAdd(svc, null); // a replica lost after the fault: wait for it
            else if (f.Affected.TryGetValue(svc, out var at) && at is null)
            {
                f.Affected[svc] = now;
                var took = now - f.At;
                if (svc.WorstConvergence is null || took > svc.WorstConvergence) svc.WorstConvergence = took;
            }
        }
    }

    /// <summary>One row per service and per rack into timeseries.csv, plus the periodic invariants.</summary>
    public void Sample(DateTimeOffset nowAbs)
    {
        var now = SimTimeProvider.Since(nowAbs);
        foreach (var svc in _services.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            if (svc.Removed && svc.Running == 0 && svc.Pending == 0) continue;
            _timeseries.Seconds(now).Field("service").Field(svc.Name).Field(svc.Desired).Field(svc.Running).Field(svc.Pending).Empty().Empty().End();
        }
        foreach (var (rack, nodes) in _racks)
        {
            int up = 0, running = 0;
            foreach (var n in nodes)
            {
                if (n.Status == NodeStatus.Ready) up++;
                running += n.Running;
            }
            _timeseries.Seconds(now).Field("rack").Field(rack).Empty().Field(running).Empty().Field(up).Field(nodes.Count).End();
        }
        CheckPeriodic(now, nowAbs);
        _openFaults.RemoveAll(f => f.Closed = now - f.At > FaultWindow && f.Affected.Values.All(v => v is not null));
    }

    public void WritePlacements(TimeSpan at, string label)
    {
        foreach (var t in _tasks.Values.Where(t => t.State.HoldsNode() && t.Node is not null).OrderBy(t => t.Id, StringComparer.Ordinal))
            _placements.Seconds(at).Field(label).Field(t.Id).Field(t.Service.Name).Field(t.Slot).Field(t.Node!.Spec.Id)
                .Field(t.Node.Rack).Field(t.State.Lower()).Field(t.Resources.CpuMillis).Field(t.Resources.MemoryBytes).End();
    }

    /// <summary>nodes.csv: every node with its rack, zone, role, capacity and status at the end.</summary>
    public void WriteNodes(TextWriter writer)
    {
        using var csv = new CsvLineWriter(writer);
        csv.Row("node", "rack", "zone", "role", "cpu_millis", "memory_bytes", "status", "availability");
        foreach (var n in _nodes.Values.OrderBy(n => n.Spec.Id, StringComparer.Ordinal))
            csv.Field(n.Spec.Id).Field(n.Rack).Field(n.Spec.Label("zone")).Field(n.Spec.Role.ToString().ToLowerInvariant())
                .Field(n.Spec.Capacity.CpuMillis).Field(n.Spec.Capacity.MemoryBytes)
                .Field(n.Status.ToString().ToLowerInvariant()).Field(n.Availability.ToString().ToLowerInvariant()).End();
    }

    public ExpectResult Expect(ExpectStep step)
    {
        var failures = new List<string>();
        var values = new List<(ExpectCheck Check, long Actual)>();
        foreach (var check in step.Checks)
        {
            long actual = step.Target == ExpectStep.ClusterTarget ? ClusterMetric(check.Metric)
                : ExpectStep.NodeOf(step.Target) is { } node ? NodeMetric(node, check.Metric) : ServiceMetric(step.Target, check.Metric);
            values.Add((check, actual));
            if (!check.Holds(actual)) failures.Add($"{check} but {check.Metric}={ExpectCheck.Show(check.Metric, actual)}");
        }
        var result = new ExpectResult(step.Line, step.At, step.Target, values, failures);
        _expects.Add(result);
        foreach (var f in failures) Violate(step.At, ExpectFailed, $"line {step.Line}: expect {step.Target}", f);
        _events.Seconds(step.At).Field("expect").Field(step.Target).Empty().Empty().Field(failures.Count == 0 ? "pass" : "fail").Empty()
            .Field(string.Join("; ", values.Select(v => $"{v.Check} (actual {ExpectCheck.Show(v.Check.Metric, v.Actual)})"))).End();
        WritePlacements(step.At, $"expect line {step.Line}");
        return result;
    }

    private long ClusterMetric(string metric) => metric switch
    {
        "running" => _services.Values.Sum(s => (long)s.Running),
        "pending" => _services.Values.Sum(s => (long)s.Pending),
        "violations" => InvariantViolations,
        "nodes-up" => _nodes.Values.Count(n => n.Status == NodeStatus.Ready && !n.Removed),
        "nodes-down" => _nodes.Values.Count(n => n.Status == NodeStatus.Down && !n.Removed),
        "services" => _services.Values.Count(s => !s.Removed),
        _ => throw new ArgumentException($"unknown cluster metric {metric}"),
    };

    /// <summary>The node could take one more task of the service: ready, active, matching its constraints, with room
    /// for its cpu, memory and generic resources.</summary>
    private static bool CouldTake(ObservedNode n, ObservedService svc)
    {
        if (n.Status != NodeStatus.Ready || n.Availability != NodeAvailability.Active || n.Removed) return false;
        if (!svc.Rules.Predicates.All(p => p.Matches(n.Spec))) return false;
        if (svc.Spec is not { } spec) return true;
        var cap = n.Spec.Capacity;
        if (n.CpuUsed + spec.Resources.CpuMillis > cap.CpuMillis || n.MemoryUsed + spec.Resources.MemoryBytes > cap.MemoryBytes) return false;
        foreach (var g in spec.Generic ?? [])
            if (n.GenericUsed.GetValueOrDefault(g.Kind) + g.Count > n.Spec.Generic.CountOf(g.Kind)) return false;
        return true;
    }

    private long NodeMetric(string id, string metric)
    {
        var node = _nodes.GetValueOrDefault(id);
        return metric switch
        {
            "tasks" => node?.Holding ?? 0,
            "running" => node?.Running ?? 0,
            _ => throw new ArgumentException($"unknown node metric {metric}"),
        };
    }

    private long ServiceMetric(string service, string metric)
    {
        var svc = _services.GetValueOrDefault(service) ?? new ObservedService(service);
        switch (metric)
        {
            case "running": return svc.Running;
            case "pending": return svc.Pending;
            case "desired": return svc.Desired;
            case "restarts": return svc.Restarts;
            case "version": return svc.Version;
            case "deployment": return svc.Deployment is { } d ? (long)d.State : -1;
            case "deployment-failed": return svc.Deployment?.Failed ?? 0;
            case "update-min-running": return svc.UpdateMinRunning ?? -1;
            case "max-per-node": return _tasks.Values.Where(t => t.Service == svc && t.CountsRunning && t.Node is not null)
                .GroupBy(t => t.Node).Select(g => (long)g.Count()).DefaultIfEmpty(0).Max();
        }
        var perRack = RunningPerRack(svc);
        // Racks that could take a task of the service now count too, so an empty rack with room shows as 0. Nodes
        // without the rack label are no rack at all (not a rack "(none)").
        var racks = _racks.Where(r => r.Key != NoRack)
            .Select(r => (Count: (long)perRack.GetValueOrDefault(r.Key), Open: r.Value.Any(n => CouldTake(n, svc))))
            .Where(r => r.Count > 0 || r.Open).ToList();
        long max = racks.Select(r => r.Count).DefaultIfEmpty(0).Max();
        return metric switch
        {
            "max-per-rack" => max,
            "min-per-rack" => racks.Select(r => r.Count).DefaultIfEmpty(0).Min(),
            // A rack that cannot take another task (full, down, drained, outside the constraints) is not held against
            // the spread: as Swarm's and Marathon's spread have it, tasks go to the emptiest rack among those with
            // room, so a rack that filled up with other services' tasks keeps fewer.
            "rack-spread" => racks.Where(r => r.Open).Select(r => max - r.Count).DefaultIfEmpty(0).Max(),
            _ => throw new ArgumentException($"unknown service metric {metric}"),
        };
    }
}

public sealed record ExpectResult(int Line, TimeSpan At, string Target, IReadOnlyList<(ExpectCheck Check, long Actual)> Values, IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;
}
