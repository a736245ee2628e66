using Orca.Grains.Model;

namespace Orca.Grains.Reconciliation;

/// <summary>
/// Decides what a replicated service must do to reach its desired state, as a pure function of the spec, the
/// observed slots and the time (Nomad's reconciler style): scale to the desired replica count, replace tasks lost
/// with their node, apply the restart policy to tasks that exited, and roll outdated tasks to the current version.
/// </summary>
public static class Reconciler
{
    /// <param name="policy">How outdated slots roll: the update policy, or the rollback policy during a rollback.</param>
    /// <param name="paused">The deployment is paused: no further slot is rolled (restarts and scaling go on).</param>
    /// <param name="sameAsCurrent">Earlier versions whose task template equals the current one (after a rollback, the
    /// version rolled back to): their tasks are up to date and are not replaced.</param>
    public static ReconcileResult Compute(ServiceSpec spec, int specVersion, IReadOnlyList<SlotView> slots, DateTimeOffset nextUpdateAt, DateTimeOffset now,
        UpdatePolicy? policy = null, bool paused = false, IReadOnlySet<int>? sameAsCurrent = null,
        IReadOnlyDictionary<string, string[]>? spreadGroups = null)
    {
        var actions = new List<ReconcileAction>();
        DateTimeOffset? wakeAt = null;
        var kept = Scale(spec, slots, actions, spreadGroups);
        bool Outdated(TaskInfo t) => t.SpecVersion < specVersion && sameAsCurrent?.Contains(t.SpecVersion) != true;

        var outdated = new List<SlotView>();
        int inFlight = 0;
        foreach (var slot in kept)
        {
            var cur = slot.Current;
            if (slot.Updating || slot.Previous is { State: var ps } && ps.IsActive()) inFlight++;
            if (slot.Previous is { } prev && prev.State.IsActive() && prev.Desired == DesiredTaskState.Running
                && (cur is null || cur.State is TaskState.Running || cur.State.IsTerminal()))
                actions.Add(new ReconcileAction.StopTask(prev.TaskId, slot.Slot, "replaced by an updated task"));

            if (cur is null)
            {
                actions.Add(new ReconcileAction.StartTask(slot.Slot, StartReason.NewSlot));
            }
            else if (cur.State.IsTerminal())
            {
                var due = RestartDue(spec.Restart, slot, cur, now);
                if (due is null) continue;
                // A task of an older version that ended is replaced by the current version at once: the delay and
                // back-off are for crashes of the version that runs (a rollback must not wait out the bad one's).
                if (Outdated(cur)) due = (now, StartReason.Replacement);
                if (due.Value.At <= now) actions.Add(new ReconcileAction.StartTask(slot.Slot, due.Value.Reason));
                else wakeAt = Earliest(wakeAt, due.Value.At);
            }
            else if (Outdated(cur) && cur.Desired == DesiredTaskState.Running)
            {
                outdated.Add(slot);
            }
        }

        if (outdated.Count > 0)
        {
            if (now < nextUpdateAt && !paused) wakeAt = Earliest(wakeAt, nextUpdateAt);
            else if (!paused) RollOut(policy ?? spec.Update, outdated, inFlight, actions);
        }
        return new ReconcileResult(actions, wakeAt, outdated.Count > 0 || inFlight > 0);
    }

    /// <summary>Adds or removes slots to match the replica count; returns the slots that stay. Scale-down chooses as
    /// <see cref="ScaleDown"/> says (<paramref name="spreadGroups"/>: each node's spread values).</summary>
    private static List<SlotView> Scale(ServiceSpec spec, IReadOnlyList<SlotView> slots, List<ReconcileAction> actions,
        IReadOnlyDictionary<string, string[]>? spreadGroups)
    {
        var kept = new List<SlotView>(slots);
        if (slots.Count > spec.Replicas)
        {
            var victims = ScaleDown.Victims(slots, slots.Count - spec.Replicas, spreadGroups).OrderBy(s => s.Slot).ToList();
            foreach (var v in victims)
            {
                foreach (var t in (ReadOnlySpan<TaskInfo?>)[v.Current, v.Previous])
                    if (t is not null && t.State.IsActive())
                        actions.Add(new ReconcileAction.StopTask(t.TaskId, v.Slot, "service scaled down"));
                actions.Add(new ReconcileAction.RemoveSlot(v.Slot));
                kept.Remove(v);
            }
        }
        else if (slots.Count < spec.Replicas)
        {
            var used = slots.Select(s => s.Slot).ToHashSet();
            int next = 1;
            for (int added = slots.Count; added < spec.Replicas; added++)
            {
                while (used.Contains(next)) next++;
                used.Add(next);
                actions.Add(new ReconcileAction.StartTask(next, StartReason.NewSlot));
            }
        }
        return kept;
    }

    /// <summary>When the slot of a finished task gets its next task, or null when it stays empty.
    /// Tasks lost with their node (orphaned) or shut down by the system (drain) are replaced at once and do not
    /// count as restarts; exits follow the restart policy's condition, delay, attempts and window.</summary>
    private static (DateTimeOffset At, StartReason Reason)? RestartDue(RestartPolicy policy, SlotView slot, TaskInfo cur, DateTimeOffset now)
    {
        if (cur.State is TaskState.Orphaned or TaskState.Shutdown) return (now, StartReason.Replacement);
        bool wanted = policy.Condition switch
        {
            RestartCondition.Any => true,
            RestartCondition.OnFailure => cur.State == TaskState.Failed,
            _ => false,
        };
        if (!wanted) return null;
        if (policy.MaxAttempts > 0)
        {
            int attempts = 0;
            foreach (var t in slot.RestartTimes)
                if (policy.Window <= TimeSpan.Zero || t > now - policy.Window) attempts++;
            if (attempts >= policy.MaxAttempts) return null;
        }
        return (cur.Timestamp + Backoff(policy, slot, cur.Timestamp), StartReason.Restart);
    }

    /// <summary>Restarts of a slot within this window make the next one wait longer.</summary>
    public static readonly TimeSpan BackoffWindow = TimeSpan.FromMinutes(10);

    /// <summary>The longest wait before a restart, however often the task failed.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    /// <summary>The restart delay, doubled for each restart of the slot in the last <see cref="BackoffWindow"/> and
    /// bounded by <see cref="MaxBackoff"/> (never below the policy's delay): a task that keeps crashing does not loop
    /// hot, and one that ran ten minutes since its last restart starts from the policy's delay again (as
    /// Kubernetes' crash-loop back-off resets). A delay of 0 backs off from one second.</summary>
    public static TimeSpan Backoff(RestartPolicy policy, SlotView slot, DateTimeOffset endedAt)
    {
        int recent = 0;
        foreach (var t in slot.RestartTimes)
            if (t > endedAt - BackoffWindow) recent++;
        if (recent == 0) return policy.Delay;
        long step = (policy.Delay > TimeSpan.Zero ? policy.Delay : TimeSpan.FromSeconds(1)).Ticks;
        long backoff = recent >= 30 ? MaxBackoff.Ticks : Math.Min(MaxBackoff.Ticks, step << recent);
        return TimeSpan.FromTicks(Math.Max(backoff, policy.Delay.Ticks));
    }

    /// <summary>Replaces at most <see cref="UpdatePolicy.Parallelism"/> outdated slots at a time (0 = all at once).</summary>
    private static void RollOut(UpdatePolicy update, List<SlotView> outdated, int inFlight, List<ReconcileAction> actions)
    {
        int budget = update.Parallelism <= 0 ? outdated.Count : update.Parallelism - inFlight;
        foreach (var slot in outdated.OrderBy(s => s.Slot))
        {
            if (budget-- <= 0) break;
            if (update.Order == UpdateOrder.StopFirst)
                actions.Add(new ReconcileAction.StopTask(slot.Current!.TaskId, slot.Slot, "rolling update"));
            actions.Add(new ReconcileAction.StartTask(slot.Slot, StartReason.Update));
        }
    }

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is null || b < a ? b : a.Value;
}
