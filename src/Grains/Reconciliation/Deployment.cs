using Orca.Grains.Model;
using Orleans;

namespace Orca.Grains.Reconciliation;

/// <summary>Swarm's update states, as `docker service inspect` shows them (UpdateStatus.State).</summary>
public enum DeploymentState { Updating, Paused, Completed, RollbackStarted, RollbackPaused, RollbackCompleted }

/// <summary>
/// One rollout of a service's spec version: a create, an update, or a rollback. It counts the slots given a task of
/// the new version (<see cref="Updated"/>), those whose task has run for the monitor period (<see cref="Healthy"/>)
/// and the tasks of the new version that ended before that (<see cref="Failed"/>).
/// </summary>
[GenerateSerializer, Alias("orca.Deployment")]
public sealed class Deployment
{
    [Id(0)] public int Id { get; set; }
    [Id(1)] public int FromVersion { get; set; }
    [Id(2)] public int ToVersion { get; set; }
    [Id(3)] public bool IsRollback { get; set; }
    [Id(4)] public DeploymentState State { get; set; }
    [Id(5)] public int Slots { get; set; }
    [Id(6)] public int Failed { get; set; }
    [Id(7)] public string Message { get; set; } = "";
    [Id(8)] public DateTimeOffset StartedAt { get; set; }
    [Id(9)] public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Slots given a task of <see cref="ToVersion"/>.</summary>
    [Id(10)] public HashSet<int> UpdatedSlots { get; set; } = [];

    /// <summary>Slots whose task of <see cref="ToVersion"/> has run for the monitor period.</summary>
    [Id(11)] public HashSet<int> HealthySlots { get; set; } = [];

    /// <summary>Tasks of <see cref="ToVersion"/> running but not yet for the monitor period: since when.</summary>
    [Id(12)] public Dictionary<string, DateTimeOffset> Watching { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Tasks already counted as failed (a report may come twice).</summary>
    [Id(13)] public HashSet<string> FailedTasks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>For a rollback the failure action started: the version it rolled back from.</summary>
    [Id(14)] public int? RolledBackVersion { get; set; }

    /// <summary>Earlier versions with the same task template as <see cref="ToVersion"/>: their tasks count as updated.</summary>
    [Id(15)] public HashSet<int> SameAsTarget { get; set; } = [];

    /// <summary>Why the failure action rolled the update back, kept in the message when the rollback ends.</summary>
    [Id(16)] public string? Cause { get; set; }

    public bool IsTarget(int version) => version == ToVersion || SameAsTarget.Contains(version);

    public int Updated => UpdatedSlots.Count;
    public int Healthy => HealthySlots.Count;
    public bool Active => State is DeploymentState.Updating or DeploymentState.RollbackStarted;
    public bool Paused => State is DeploymentState.Paused or DeploymentState.RollbackPaused;
    public bool Ended => EndedAt is not null;

    public DeploymentInfo Info(string service) =>
        new(Id, service, FromVersion, ToVersion, IsRollback, State, Slots, Updated, Healthy, Failed, Message, StartedAt, EndedAt, RolledBackVersion);
}

/// <summary>A deployment as the API shows it.</summary>
[GenerateSerializer, Immutable, Alias("orca.DeploymentInfo")]
public sealed record DeploymentInfo(
    [property: Id(0)] int Id, [property: Id(1)] string Service, [property: Id(2)] int FromVersion, [property: Id(3)] int ToVersion,
    [property: Id(4)] bool IsRollback, [property: Id(5)] DeploymentState State, [property: Id(6)] int Slots, [property: Id(7)] int Updated,
    [property: Id(8)] int Healthy, [property: Id(9)] int Failed, [property: Id(10)] string Message,
    [property: Id(11)] DateTimeOffset StartedAt, [property: Id(12)] DateTimeOffset? EndedAt, [property: Id(13)] int? RolledBackVersion);

/// <summary>What a deployment's failures call for.</summary>
public enum DeploymentVerdict { None, Pause, Rollback }

/// <summary>
/// The deployment state machine, pure: fed every report of a task and the reconciler's view, it counts, judges
/// failures against the policy and moves the state. What counts as a failed task: one of the new version that exits,
/// fails or completes before it has been running for the policy's monitor period (a task the system shut down,
/// or lost with its node, is not a failure of the version). When more than <c>MaxFailureRatio</c> of the slots
/// failed, the failure action applies: pause (no more slots are rolled), continue, or roll back; a rollback that
/// fails pauses, it never rolls back again.
/// </summary>
public static class DeploymentTracker
{
    public static DeploymentVerdict OnTask(Deployment d, TaskInfo task, UpdatePolicy policy, DateTimeOffset now)
    {
        if (d.Ended || !d.IsTarget(task.SpecVersion)) return DeploymentVerdict.None;
        d.UpdatedSlots.Add(task.Slot);
        if (task.State == TaskState.Running)
        {
            if (!d.HealthySlots.Contains(task.Slot)) d.Watching.TryAdd(task.TaskId, now);
            return DeploymentVerdict.None;
        }
        if (!task.State.IsTerminal()) return DeploymentVerdict.None;
        bool ranLongEnough = d.Watching.Remove(task.TaskId, out var since) ? now - since >= policy.MonitorPeriod : d.HealthySlots.Contains(task.Slot);
        if (ranLongEnough || task.State is TaskState.Shutdown or TaskState.Orphaned || !d.FailedTasks.Add(task.TaskId)) return DeploymentVerdict.None;
        d.Failed++;
        return Judge(d, policy);
    }

    /// <summary>Promotes tasks that have run for the monitor period, and completes the deployment once no slot is
    /// left to roll and every new task has proved itself. Returns when to look again, if a task is still watched.</summary>
    public static DateTimeOffset? Tick(Deployment d, UpdatePolicy policy, int replicas, bool rollingDone, IReadOnlyList<TaskInfo> current, DateTimeOffset now)
    {
        if (d.Ended) return null;
        d.Slots = replicas;
        DateTimeOffset? next = null;
        foreach (var task in current)
        {
            if (!d.IsTarget(task.SpecVersion) || task.State != TaskState.Running) continue;
            if (!d.Watching.TryGetValue(task.TaskId, out var since))
            {
                // A task already running the target template when the deployment began (a rollback's survivors).
                if (task.SpecVersion != d.ToVersion && d.UpdatedSlots.Add(task.Slot)) d.HealthySlots.Add(task.Slot);
                continue;
            }
            var due = since + policy.MonitorPeriod;
            if (due <= now)
            {
                d.Watching.Remove(task.TaskId);
                d.HealthySlots.Add(task.Slot);
            }
            else next = next is null || due < next ? due : next;
        }
        bool allRunning = current.Count == d.Slots && current.All(t => d.IsTarget(t.SpecVersion) && t.State == TaskState.Running);
        if (d.Active && rollingDone && d.Watching.Count == 0 && allRunning)
        {
            d.State = d.IsRollback ? DeploymentState.RollbackCompleted : DeploymentState.Completed;
            d.Message = d.IsRollback ? $"rollback to version {d.ToVersion} completed{(d.Cause is { } why ? $"; {why}" : "")}"
                : d.FromVersion == 0 ? $"version {d.ToVersion} created, every replica running" : $"update to version {d.ToVersion} completed";
            d.EndedAt = now;
        }
        return next;
    }

    /// <summary>The failure action rolls back: the same deployment goes on towards <paramref name="version"/> (the
    /// earlier spec, stored as a new version), its counts started afresh.</summary>
    public static void BeginRollback(Deployment d, int version, IEnumerable<int> sameAsTarget)
    {
        d.SameAsTarget = [.. sameAsTarget];
        d.RolledBackVersion = d.ToVersion;
        d.FromVersion = d.ToVersion;
        d.ToVersion = version;
        d.IsRollback = true;
        d.State = DeploymentState.RollbackStarted;
        d.Failed = 0;
        d.UpdatedSlots.Clear();
        d.HealthySlots.Clear();
        d.Watching.Clear();
        d.FailedTasks.Clear();
        d.Message = $"rolling back from version {d.RolledBackVersion} to the spec of the version before it: {d.Message}";
    }

    private static DeploymentVerdict Judge(Deployment d, UpdatePolicy policy)
    {
        if (!d.Active || d.Failed <= policy.MaxFailureRatio * Math.Max(1, d.Slots)) return DeploymentVerdict.None;
        var why = $"{d.Failed} of {d.Slots} tasks failed (more than the max failure ratio {policy.MaxFailureRatio:0.##})";
        if (policy.FailureAction == FailureAction.Continue) return DeploymentVerdict.None;
        if (d.IsRollback || policy.FailureAction == FailureAction.Pause)
        {
            d.State = d.IsRollback ? DeploymentState.RollbackPaused : DeploymentState.Paused;
            d.Message = $"{(d.IsRollback ? "rollback" : "update")} paused: {why}{(d.Cause is { } cause ? $"; {cause}" : "")}";
            return DeploymentVerdict.Pause;
        }
        d.Message = d.Cause = $"update rolled back: {why}";
        return DeploymentVerdict.Rollback;
    }
}

public static class Deployments
{
    /// <summary>The state as Swarm spells it: updating, paused, completed, rollback_started, rollback_paused, rollback_completed.</summary>
    public static string StateName(DeploymentState s) => s switch
    {
        DeploymentState.RollbackStarted => "rollback_started",
        DeploymentState.RollbackPaused => "rollback_paused",
        DeploymentState.RollbackCompleted => "rollback_completed",
        _ => s.ToString().ToLowerInvariant(),
    };
}
