using Orca.Grains.Model;
using Orca.Grains.Reconciliation;

namespace Orca.Grains.Grains;

/// <summary>Deployments: every new spec version rolls out as one, watched by <see cref="DeploymentTracker"/>; a
/// failure action of rollback, or `orca service rollback`, rolls back to an earlier version's spec.</summary>
public sealed partial class ServiceGrain
{
    /// <summary>Deployments kept per service, and spec versions kept (besides those live tasks still use).</summary>
    public const int KeptDeployments = 10, KeptVersions = 10;

    /// <summary>How late a new task may be counted healthy after its monitor period (see <see cref="TickDeployment"/>).</summary>
    public static readonly TimeSpan PromotionGather = TimeSpan.FromSeconds(1);

    private Deployment? CurrentDeployment => S.Deployments is [.., var last] && !last.Ended ? last : null;

    private UpdatePolicy PolicyOf(Deployment? d) => d is { IsRollback: true } ? S.Spec!.RollbackPolicy : S.Spec!.Update;

    public Task<IReadOnlyList<DeploymentInfo>> ListDeploymentsAsync() =>
        Task.FromResult<IReadOnlyList<DeploymentInfo>>(S.Spec is null ? [] : S.Deployments.Select(d => d.Info(_key)).Reverse().ToList());

    /// <summary>Rolls the service back to the spec of <paramref name="version"/> (default: the version before the
    /// current one), stored as a new version; replicas and the update and rollback policies stay as they are.</summary>
    public async Task<ServiceInfo> RollbackAsync(int? version)
    {
        var current = RequireExisting();
        int target = version ?? S.Versions.Keys.Where(v => v < S.Version).DefaultIfEmpty(0).Max();
        if (target == 0 || !S.Versions.TryGetValue(target, out var earlier))
            throw new ArgumentException(version is null
                ? $"service {_key} has no earlier version to roll back to"
                : $"service {_key} has no version {target} to roll back to (kept: {string.Join(", ", S.Versions.Keys)})");
        var from = S.Version;
        NewVersion(current, earlier);
        StartDeployment(from, rollback: true, $"rollback to the spec of version {target}");
        await ChangedAsync(ServiceChange.Updated);
        return Info();
    }

    /// <summary>Stores <paramref name="next"/>'s task template as a new version, with the current replicas and policies.</summary>
    private int NewVersion(ServiceSpec current, ServiceSpec next)
    {
        S.Versions[S.Version] = current;
        S.Version++;
        S.Spec = next with { Replicas = current.Replicas, Update = current.Update, Rollback = current.Rollback };
        TrimVersions();
        return S.Version;
    }

    private void StartDeployment(int from, bool rollback, string message)
    {
        if (CurrentDeployment is { } old)
        {
            old.EndedAt = Now;
            old.Message = $"superseded by deployment {S.LastDeploymentId + 1}; {old.Message}";
            Publish(old);
        }
        var d = new Deployment
        {
            Id = ++S.LastDeploymentId, FromVersion = from, ToVersion = S.Version,
            IsRollback = rollback, State = rollback ? DeploymentState.RollbackStarted : DeploymentState.Updating,
            Slots = S.Spec!.Replicas, StartedAt = Now, Message = message, SameAsTarget = [.. SameAsCurrent()],
        };
        S.Deployments.Add(d);
        if (S.Deployments.Count > KeptDeployments) S.Deployments.RemoveAt(0);
        Publish(d);
    }

    /// <summary>A task report, as the current deployment counts it; its failures may pause it or roll it back.</summary>
    private async Task WatchAsync(TaskInfo task)
    {
        if (CurrentDeployment is not { } d) return;
        var state = d.State;
        var verdict = DeploymentTracker.OnTask(d, task, PolicyOf(d), Now);
        if (verdict == DeploymentVerdict.Rollback && S.Versions.GetValueOrDefault(d.FromVersion) is { } earlier)
        {
            DeploymentTracker.BeginRollback(d, NewVersion(S.Spec!, earlier), SameAsCurrent());
            Publish(d);
            await ChangedAsync(ServiceChange.Updated);
            return;
        }
        if (verdict == DeploymentVerdict.Rollback) d.State = DeploymentState.Paused; // nothing to roll back to (the first version)
        if (d.State != state) Publish(d);
    }

    /// <summary>Whether a running task must still prove itself for the current deployment's monitor period before
    /// its slot counts as updated (and frees the update's parallelism).</summary>
    private bool Proving(TaskInfo task) =>
        CurrentDeployment is { Active: true } d && d.IsTarget(task.SpecVersion) && !d.HealthySlots.Contains(task.Slot) && PolicyOf(d).MonitorPeriod > TimeSpan.Zero;

    /// <summary>The slot's new task runs and has nothing left to prove: the slot may leave the update's flight.</summary>
    private bool Proved(SlotState slot) => slot.Current is { State: TaskState.Running } t && !Proving(t);

    /// <summary>After a reconcile pass: promotes proved tasks and completes the deployment; returns when to look again.
    /// Slots whose new task proved itself leave the update's flight, so the next batch may start.</summary>
    private (DateTimeOffset? Next, bool Changed) TickDeployment(bool rollingDone)
    {
        if (CurrentDeployment is not { } d) return (null, false);
        var state = d.State;
        int healthy = d.Healthy, updated = d.Updated;
        var current = S.Slots.Values.Select(s => s.Current).OfType<TaskInfo>().ToList();
        var next = DeploymentTracker.Tick(d, PolicyOf(d), S.Spec!.Replicas, rollingDone, current, Now);
        bool freed = false;
        foreach (var slot in S.Slots.Values)
            if (slot.Updating && Proved(slot))
            {
                UpdateSlotDone(slot);
                freed = true;
            }
        if (freed) _reconcile.RequestWithin(TimeSpan.Zero);
        if (d.State != state) Publish(d);
        // Tasks prove themselves at their own instants; looking again at each would cost a pass per task (500 passes
        // over 500 slots for a 500-replica create). Promotions are gathered: a task is counted healthy at most
        // PromotionGather after its monitor period ended.
        if (next is { } n && n < Now + PromotionGather) next = Now + PromotionGather;
        return (next, freed || d.State != state || d.Healthy != healthy || d.Updated != updated);
    }

    /// <summary>Kept earlier versions whose task template is the current one's (a rollback's target, an update that
    /// changed only the policies); their tasks are not replaced.</summary>
    private HashSet<int> SameAsCurrent()
    {
        if (_sameAsCurrent is { } cached && cached.Version == S.Version) return cached.Versions;
        var same = S.Versions.Where(v => v.Key < S.Version && ServiceSpecs.SameTaskTemplate(v.Value, S.Spec!)).Select(v => v.Key).ToHashSet();
        _sameAsCurrent = (S.Version, same);
        return same;
    }

    /// <summary><see cref="SameAsCurrent"/> as of a version (the specs of a version never change).</summary>
    private (int Version, HashSet<int> Versions)? _sameAsCurrent;

    /// <summary>Keeps the last <see cref="KeptVersions"/> earlier specs, and any a live task still runs.</summary>
    private void TrimVersions()
    {
        var live = AllTasks().Where(t => !t.State.IsTerminal()).Select(t => t.SpecVersion).ToHashSet();
        foreach (var v in S.Versions.Keys.OrderByDescending(v => v).Skip(KeptVersions).ToList())
            if (!live.Contains(v)) S.Versions.Remove(v);
    }

    private void Publish(Deployment d) => _events.Publish(new DeploymentEvent(Now, d.Info(_key)));
}
