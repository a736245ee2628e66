using Orca.Grains.Model;
using Orca.Grains.Runtime;

namespace Orca.Grains.Grains;

/// <summary>The node grain after its node was removed. Its tasks are stopped (and replaced elsewhere by their
/// services); then every container left on the host with this node's labels is removed and the grain forgets the
/// host. A host that does not answer has its tasks reported orphaned at once, so that they are replaced without
/// waiting; its containers are removed when it answers again, for up to <see cref="GiveUpAfter"/>.</summary>
public sealed partial class NodeGrain
{
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromHours(24);

    private bool Retiring => S.RetiringSince is not null;

    public async Task RetireAsync()
    {
        if (S.Spec is null)
        {
            await Cluster.NodeRetiredAsync(_key); // gone already: the cluster grain asked again
            return;
        }
        if (!Retiring)
        {
            S.RetiringSince = Now;
            await _state.WriteStateAsync();
        }
        if (S.DeclaredDown) await LetTasksGoAsync();
        else foreach (var taskId in S.Tasks.Keys.ToList()) await StopTaskAsync(taskId, $"node {_key} removed");
        StartHeartbeat();
    }

    /// <summary>A heartbeat of a retiring node whose host answered: settle the tasks still stopping, or, once none is
    /// left, remove what the host still runs for this node and forget the host.</summary>
    private async Task RetiringHeartbeatAsync()
    {
        if (S.Tasks.Count > 0)
        {
            await ReconcileContainersAsync();
            if (S.Tasks.Count > 0) return;
        }
        try
        {
            foreach (var c in await Driver.ListContainersAsync())
            {
                await Driver.StopContainerAsync(c.ContainerId, TimeSpan.Zero);
                await Driver.RemoveContainerAsync(c.ContainerId);
            }
        }
        catch (ContainerDriverException)
        {
            return; // the next heartbeat tries again
        }
        await ForgetHostAsync();
    }

    /// <summary>A heartbeat of a retiring node whose host did not answer.</summary>
    private async Task RetiringHostSilentAsync()
    {
        await LetTasksGoAsync();
        if (Now - S.RetiringSince!.Value >= GiveUpAfter) await ForgetHostAsync();
    }

    private async Task LetTasksGoAsync()
    {
        if (S.Tasks.Count == 0) return;
        var reason = $"node {_key} removed while its host did not answer";
        var lost = S.Tasks.Keys.ToList();
        foreach (var taskId in lost) Forget(taskId, TaskState.Orphaned, null, reason);
        await _state.WriteStateAsync();
        foreach (var taskId in lost) await TaskGrain(taskId).OrphanAsync(reason);
    }

    private async Task ForgetHostAsync()
    {
        _heartbeat?.Dispose();
        _heartbeat = null;
        await _keepAlive.StopAsync();
        await _state.ClearStateAsync();
        _driver = null;
        _listOnNextHeartbeat = true;
        await Cluster.NodeRetiredAsync(_key);
        DeactivateOnIdle();
    }
}
