using Orca.Simulator.Engine;
using Orca.Grains.Model;

namespace Orca.Simulator.Metrics;

/// <summary>The invariants checked during the whole run. Each violation is named and kept (the first
/// <see cref="MaxKeptViolations"/>), and counted.</summary>
public sealed partial class SimObserver
{
    public const int MaxKeptViolations = 10_000;
    public const string Overcommit = "node-overcommit", HardConstraint = "hard-constraint", RunningOnDownNode = "running-on-down-node",
        RunningAboveDesired = "running-above-desired", DuplicateSlot = "duplicate-slot", ExpectFailed = "expect", GrainFault = "grain-fault",
        StepRejected = "scenario-step", StalePlacement = "stale-placement";

    /// <summary>How long the tasks of a changed or removed node may take to leave it: a stop may wait out the stop
    /// grace period, and a silent host is given up on only after its heartbeats have failed.</summary>
    public TimeSpan ChangeGrace { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>Nodes whose spec changed or that were removed, and when: checked once <see cref="ChangeGrace"/> has passed.</summary>
    private readonly List<(ObservedNode Node, DateTimeOffset At)> _respecified = [];

    private readonly List<Violation> _violations = [];
    private readonly SortedDictionary<string, long> _violationCounts = new(StringComparer.Ordinal);
    private readonly TimeSpan _downGrace;

    public IReadOnlyList<Violation> Violations => _violations;
    public IReadOnlyDictionary<string, long> ViolationCounts => _violationCounts;

    /// <summary>Violations of invariants (not counting failed expect rows).</summary>
    public long InvariantViolations => _violationCounts.Where(kv => kv.Key != ExpectFailed).Sum(kv => kv.Value);

    public void Violate(TimeSpan at, string invariant, string subject, string detail)
    {
        _violationCounts[invariant] = _violationCounts.GetValueOrDefault(invariant) + 1;
        if (_violations.Count < MaxKeptViolations) _violations.Add(new Violation(at, invariant, subject, detail));
        _events.Seconds(at).Field("violation").Field(subject).Empty().Empty().Field(invariant).Empty().Field(detail).End();
    }

    /// <summary>No node holds more than its capacity of cpu, memory and each generic resource (Orca's view: assigned,
    /// starting and running tasks).</summary>
    private void CheckCapacity(TimeSpan now, ObservedTask t)
    {
        var node = t.Node;
        if (node is null) return;
        var cap = node.Spec.Capacity;
        if (node.CpuUsed > cap.CpuMillis || node.MemoryUsed > cap.MemoryBytes)
            Violate(now, Overcommit, node.Spec.Id,
                $"{t.Id} brings it to {QuantityFormat.Cpu(node.CpuUsed)} cpu / {QuantityFormat.Bytes(node.MemoryUsed)} of {cap}");
        foreach (var g in t.Generic ?? [])
            if (node.GenericUsed.GetValueOrDefault(g.Kind) > node.Spec.Generic.CountOf(g.Kind))
                Violate(now, Overcommit, node.Spec.Id, $"{t.Id} brings it to {node.GenericUsed[g.Kind]} {g.Kind} of {node.Spec.Generic.CountOf(g.Kind)}");
    }

    /// <summary>A task that starts running satisfies its service's hard constraints, max-per-node and attribute
    /// limits, and is the only running task of its slot (outside a rolling update).</summary>
    private void CheckRunningTask(TimeSpan now, ObservedTask t)
    {
        var svc = t.Service;
        var node = t.Node;
        if (node is not null)
        {
            foreach (var p in svc.Rules.Predicates)
                if (!p.Matches(node.Spec)) Violate(now, HardConstraint, t.Id, $"runs on {node.Spec.Id} where '{p.Text}' does not hold");
            int max = svc.Rules.MaxReplicasPerNode;
            if (max > 0 && svc.Holding.GetValueOrDefault(node) > max)
                Violate(now, HardConstraint, t.Id, $"{svc.Holding[node]} tasks of {svc.Name} on {node.Spec.Id}, max per node {max}");
            foreach (var limit in svc.Rules.Limits)
            {
                var value = limit.Attribute.ValueOf(node.Spec);
                int n = value is null ? 1 : svc.Holding.Where(kv => limit.Attribute.ValueOf(kv.Key.Spec) == value).Sum(kv => kv.Value);
                if (value is null || n > limit.MaxPerValue)
                    Violate(now, HardConstraint, t.Id, $"'{limit.Text}' broken on {node.Spec.Id}: {n} tasks share {limit.Attribute.Display}={value ?? "(missing)"}");
            }
        }
        if (!svc.Updating && svc.RunningPerSlot.GetValueOrDefault(t.Slot) > 1)
            Violate(now, DuplicateSlot, t.Id, $"slot {svc.Name}.{t.Slot} has {svc.RunningPerSlot[t.Slot]} running tasks");
    }

    /// <summary>Checked at every sample: nothing counted on a node declared down (after a short grace for the
    /// messages that orphan its tasks), and no service runs more than desired while it is not updating. While a
    /// crashed silo is not yet declared dead, the one-way messages sent to its grains are lost (Orleans' rule) and are
    /// asked again only once it is declared dead; the grace runs from then.</summary>
    private void CheckPeriodic(TimeSpan now, DateTimeOffset nowAbs)
    {
        if (now < _silosSettledAt) return;
        var settled = SimTimeProvider.Epoch + _silosSettledAt;
        foreach (var node in _nodes.Values)
            if (node.Status == NodeStatus.Down && node.Holding > 0 && nowAbs - Later(node.StatusSince, settled) > _downGrace)
                Violate(now, RunningOnDownNode, node.Spec.Id, $"{node.Holding} tasks still counted on it {QuantityFormat.Duration(nowAbs - node.StatusSince)} after it was declared down");
        CheckRespecified(now, nowAbs, settled);
        foreach (var svc in _services.Values)
            if (!svc.Updating && svc.Running > svc.Desired && nowAbs - Later(svc.DesiredChangedAt, settled) > _downGrace)
                Violate(now, RunningAboveDesired, svc.Name, $"{svc.Running} running, {svc.Desired} desired");
    }

    /// <summary>The constraint enforcer's promise: once <see cref="ChangeGrace"/> has passed after a node changed, no task the node
    /// no longer satisfies (constraints, capacity) is still on it, and a removed node holds nothing. Tasks of a paused
    /// or drained node are left to those.</summary>
    private void CheckRespecified(TimeSpan now, DateTimeOffset nowAbs, DateTimeOffset settled)
    {
        if (_respecified.Count == 0) return;
        var due = _respecified.Where(r => nowAbs - Later(r.At, settled) > ChangeGrace).Select(r => r.Node).ToHashSet();
        if (due.Count == 0) return;
        _respecified.RemoveAll(r => due.Contains(r.Node));
        foreach (var node in due.Where(n => n.Removed && n.Holding > 0))
            Violate(now, StalePlacement, node.Spec.Id, $"{node.Holding} tasks still on it after it was removed");
        var usage = new Dictionary<ObservedNode, Resources>();
        var generic = new Dictionary<(ObservedNode, string), long>();
        foreach (var t in _tasks.Values)
        {
            if (t.Node is not { Removed: false, Availability: NodeAvailability.Active } node || !due.Contains(node) || node.Status == NodeStatus.Down) continue;
            if (t.Desired != DesiredTaskState.Running) continue;
            foreach (var p in t.Service.Rules.Predicates)
                if (!p.Matches(node.Spec)) Violate(now, StalePlacement, t.Id, $"still on {node.Spec.Id}, which no longer satisfies '{p.Text}'");
            usage[node] = usage.GetValueOrDefault(node) + t.Resources;
            foreach (var g in t.Generic ?? []) generic[(node, g.Kind)] = generic.GetValueOrDefault((node, g.Kind)) + g.Count;
        }
        foreach (var ((node, kind), used) in generic)
            if (used > node.Spec.Generic.CountOf(kind))
                Violate(now, StalePlacement, node.Spec.Id, $"holds {used} {kind} of its new {node.Spec.Generic.CountOf(kind)}");
        foreach (var (node, used) in usage)
            if (!used.FitsWithin(node.Spec.Capacity))
                Violate(now, StalePlacement, node.Spec.Id, $"holds {used} of its new capacity {node.Spec.Capacity}");
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>When the silos are all settled again: the last silo crash plus the time until it is declared dead.</summary>
    private TimeSpan _silosSettledAt;

    /// <summary>A silo crashed at <paramref name="at"/>; the others declare it dead after <paramref name="deadAfter"/>.</summary>
    public void SiloCrashed(TimeSpan at, TimeSpan deadAfter)
    {
        if (at + deadAfter > _silosSettledAt) _silosSettledAt = at + deadAfter;
    }
}
