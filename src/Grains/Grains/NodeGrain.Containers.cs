using Orca.Grains.Model;
using Orca.Grains.Runtime;
using Orleans;
using Orleans.Runtime;

namespace Orca.Grains.Grains;

/// <summary>The node grain's containers: settling a listing against what it was asked to run, starts and stops (run
/// outside the turn, their outcome back as messages), exits, and how tasks leave the node.</summary>
public sealed partial class NodeGrain
{
    /// <summary>Settles every labelled container on the host against what this node was asked to run (see the class
    /// summary), then starts again what was asked for and has neither a container nor a start under way.</summary>
    private async Task ReconcileContainersAsync()
    {
        IReadOnlyList<ContainerInfo> containers;
        try
        {
            containers = await Driver.ListContainersAsync();
        }
        catch (ContainerDriverException)
        {
            _listOnNextHeartbeat = true; // the next good heartbeat tries again
            return;
        }
        S.DeclaredDown = false;
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in containers)
        {
            if (!S.Tasks.TryGetValue(c.TaskId, out var t) || t.ContainerId is not null && t.ContainerId != c.ContainerId)
            {
                if (!_inFlight.Contains(c.TaskId)) _ = RemoveStaleAsync(c.ContainerId); // replaced or stopped meanwhile
                continue;
            }
            listed.Add(c.TaskId);
            bool adopted = t.ContainerId is null; // its start was never recorded (the activation that began it is gone)
            if (_inFlight.Contains(c.TaskId)) continue; // a start or stop of this activation is under way
            if (t.StopReason is not null)
            {
                if (adopted) S.Tasks[c.TaskId] = t = t with { ContainerId = c.ContainerId };
                _inFlight.Add(t.TaskId);
                _ = StopContainerAsync(t.TaskId, c.ContainerId);
                continue;
            }
            if (c.Running)
            {
                if (adopted)
                {
                    S.Tasks[c.TaskId] = t = t with { ContainerId = c.ContainerId };
                    S.Starts.Remove(c.TaskId);
                    if (!t.WaitsForHealth) await TaskGrain(c.TaskId).NodeReportAsync(TaskState.Running, null, "adopted: its container runs");
                }
                // A verdict its event did not bring (missed while the stream was down, or before this activation).
                if (t.WaitsForHealth && c.Healthy is { } healthy) await HealthAsync(t, healthy);
                continue;
            }
            if (c.ExitCode is null || adopted)
            {
                listed.Remove(c.TaskId); // created but never started (or exited before its start was recorded): start again
                continue;
            }
            await ExitedAsync(t, c.ExitCode.Value, oom: false); // exited while its event could not reach us
        }
        foreach (var t in S.Tasks.Values.Where(t => !listed.Contains(t.TaskId) && !_inFlight.Contains(t.TaskId)).ToList())
        {
            if (t.ContainerId is null && t.StopReason is null && S.Starts.TryGetValue(t.TaskId, out var spec))
            {
                StartContainer(spec); // never created, or created and never started: the driver replaces a leftover
                continue;
            }
            await EndAsync(t.TaskId, t.StopReason is null ? TaskState.Orphaned : TaskState.Shutdown, null,
                t.StopReason ?? $"container gone: host {_key} restarted");
        }
        await _state.WriteStateAsync();
    }

    private async Task RemoveStaleAsync(string containerId)
    {
        try
        {
            await Driver.StopContainerAsync(containerId, TimeSpan.Zero);
            await Driver.RemoveContainerAsync(containerId);
        }
        catch (ContainerDriverException)
        {
            // the next listing tries again
        }
    }

    public async Task StartTaskAsync(TaskSpec task)
    {
        if (S.DeclaredDown || S.Spec is null || Retiring)
        {
            await TaskGrain(task.TaskId).NodeReportAsync(TaskState.Orphaned, null, Retiring || S.Spec is null ? $"node {_key} was removed" : $"node {_key} is down");
            return;
        }
        if (S.Tasks.TryGetValue(task.TaskId, out var known))
        {
            // Asked again by a resumed task: this node has it in hand. If its container runs, the task may have missed
            // the report (its grain's silo died): say it again. A start or stop under way reports when it ends.
            if (known.ContainerId is not null && known.StopReason is null && !known.WaitsForHealth && !_inFlight.Contains(task.TaskId))
                await TaskGrain(task.TaskId).NodeReportAsync(TaskState.Running, null, null);
            return;
        }
        S.Tasks[task.TaskId] = new NodeTask(task.TaskId, null, null, task.Health is { Checks: true });
        S.Starts[task.TaskId] = task;
        await _state.WriteStateAsync();
        await TaskGrain(task.TaskId).NodeReportAsync(TaskState.Starting, null, null);
        StartContainer(task);
    }

    private void StartContainer(TaskSpec task)
    {
        _inFlight.Add(task.TaskId);
        _startAsked[task.TaskId] = Now;
        _ = RunContainerAsync(task);
    }

    /// <summary>The task's environment and, as Swarm's executor adds them, the generic resources it was given
    /// (<c>DOCKER_RESOURCE_GPU=GPU-0,GPU-1</c>).</summary>
    private static IReadOnlyDictionary<string, string> EnvOf(TaskSpec task)
    {
        if (task.GenericGiven is not { Count: > 0 } given) return task.Env;
        var env = new Dictionary<string, string>(task.Env, StringComparer.Ordinal);
        foreach (var (k, v) in GenericResources.Environment(given)) env[k] = v;
        return env;
    }

    /// <summary>Runs outside the turn; touches no grain state and reports back with a message.</summary>
    private async Task RunContainerAsync(TaskSpec task)
    {
        var spec = new ContainerSpec(task.TaskId, task.Service, _key, task.Image, task.Resources.CpuMillis,
            task.Resources.MemoryBytes, task.Command, EnvOf(task), task.HostPorts, task.Health, task.Network);
        try
        {
            // The driver reports from its own thread; the progress comes back as a message, so the event is
            // published in this grain's turn like every other.
            var id = await Driver.RunContainerAsync(spec, new Reporter<PullProgress>(p => Self.PullProgressAsync(p).Ignore()));
            await Self.ContainerStartedAsync(task.TaskId, id, null, false);
        }
        catch (ContainerDriverException e)
        {
            await Self.ContainerStartedAsync(task.TaskId, null, e.Message, e.Failure == DriverFailure.Unreachable);
        }
    }

    public Task PullProgressAsync(PullProgress progress)
    {
        _events.Publish(new ImageEvent(Now, _key, progress.Image, progress.Stage, progress.Message));
        return Task.CompletedTask;
    }

    public async Task ContainerStartedAsync(string taskId, string? containerId, string? error, bool hostUnreachable)
    {
        _inFlight.Remove(taskId);
        if (_startAsked.Remove(taskId, out var asked))
        {
            var node = new KeyValuePair<string, object?>("node", _key);
            _metrics.ContainerStarts.Add(1, node, new KeyValuePair<string, object?>("outcome", containerId is null ? "failed" : "started"));
            if (containerId is not null) _metrics.ContainerStartDuration.Record((Now - asked).TotalSeconds, node);
        }
        if (!S.Tasks.TryGetValue(taskId, out var t))
        {
            if (containerId is not null) _ = RemoveStaleAsync(containerId); // orphaned or stopped meanwhile
            return;
        }
        S.Starts.Remove(taskId);
        if (containerId is null)
        {
            var state = t.StopReason is not null ? TaskState.Shutdown : hostUnreachable ? TaskState.Orphaned : TaskState.Failed;
            Forget(taskId, state, null, error);
            await _state.WriteStateAsync();
            await TaskGrain(taskId).NodeReportAsync(state, null, error);
            if (hostUnreachable) await SuspectNowAsync();
            return;
        }
        S.Tasks[taskId] = t with { ContainerId = containerId };
        await _state.WriteStateAsync();
        if (t.StopReason is not null)
        {
            _inFlight.Add(taskId);
            _ = StopContainerAsync(taskId, containerId);
            return;
        }
        if (t.WaitsForHealth) return; // running once its health check passes (a health event, or the next listing)
        await TaskGrain(taskId).NodeReportAsync(TaskState.Running, null, null);
    }

    /// <summary>A call to the host failed: as good as missed heartbeats, so the node is suspected at once and takes no
    /// new tasks (otherwise replacements would be placed on it again and again until the next heartbeats fail).</summary>
    private async Task SuspectNowAsync()
    {
        _missed = Math.Max(_missed + 1, _options.SuspectAfterMissedHeartbeats);
        await Cluster.HeartbeatMissedAsync(_key, _missed, _lastHeartbeat);
    }

    public async Task StopTaskAsync(string taskId, string reason)
    {
        if (!S.Tasks.TryGetValue(taskId, out var t))
        {
            await TaskGrain(taskId).NodeReportAsync(TaskState.Shutdown, null, reason);
            return;
        }
        if (t.StopReason is null)
        {
            S.Tasks[taskId] = t = t with { StopReason = reason };
            S.Starts.Remove(taskId);
            await _state.WriteStateAsync();
        }
        if (t.ContainerId is not null && _inFlight.Add(taskId)) _ = StopContainerAsync(taskId, t.ContainerId);
    }

    private async Task StopContainerAsync(string taskId, string containerId)
    {
        try
        {
            await Driver.StopContainerAsync(containerId, _options.StopGracePeriod);
            await Driver.RemoveContainerAsync(containerId);
        }
        catch (ContainerDriverException)
        {
            await Self.ContainerStoppedAsync(taskId, stopped: false); // unreachable: the next listing tries again
            return;
        }
        await Self.ContainerStoppedAsync(taskId, stopped: true);
    }

    public async Task ContainerStoppedAsync(string taskId, bool stopped)
    {
        _inFlight.Remove(taskId);
        if (!stopped)
        {
            _listOnNextHeartbeat = true;
            return;
        }
        if (!S.Tasks.TryGetValue(taskId, out var t)) return;
        Forget(taskId, TaskState.Shutdown, null, t.StopReason);
        await _state.WriteStateAsync();
        await TaskGrain(taskId).NodeReportAsync(TaskState.Shutdown, null, t.StopReason);
    }

    public async Task ContainerEventAsync(ContainerEvent e)
    {
        if (!S.Tasks.TryGetValue(e.TaskId, out var t) || t.ContainerId != e.ContainerId) return;
        if (e.Kind is ContainerEventKind.Healthy or ContainerEventKind.Unhealthy) await HealthAsync(t, e.Kind == ContainerEventKind.Healthy);
        else await ExitedAsync(t, e.ExitCode, e.Kind == ContainerEventKind.OutOfMemory);
    }

    /// <summary>A health check's verdict: the first pass makes the task running; a failure (after the check's retries)
    /// makes it failed, and its container is stopped and removed so that the restart policy replaces it.</summary>
    private async Task HealthAsync(NodeTask t, bool healthy)
    {
        if (t.StopReason is not null) return;
        if (healthy)
        {
            if (!t.WaitsForHealth) return;
            S.Tasks[t.TaskId] = t with { WaitsForHealth = false };
            await _state.WriteStateAsync();
            await TaskGrain(t.TaskId).NodeReportAsync(TaskState.Running, null, "healthy");
            return;
        }
        const string why = "unhealthy: its health check failed";
        Forget(t.TaskId, TaskState.Failed, null, why);
        await _state.WriteStateAsync();
        if (t.ContainerId is { } id && !_inFlight.Contains(t.TaskId)) _ = RemoveStaleAsync(id);
        await TaskGrain(t.TaskId).NodeReportAsync(TaskState.Failed, null, why);
    }

    /// <summary>A container of ours has exited: the task completed, failed, or was shut down as asked.</summary>
    private async Task ExitedAsync(NodeTask t, int exitCode, bool oom)
    {
        var (state, message) = t.StopReason is not null ? (TaskState.Shutdown, t.StopReason)
            : oom ? (TaskState.Failed, "killed: out of memory")
            : exitCode == 0 ? (TaskState.Complete, "exited with code 0")
            : (TaskState.Failed, $"exited with code {exitCode}");
        Forget(t.TaskId, state, exitCode, message);
        await _state.WriteStateAsync();
        if (!_inFlight.Contains(t.TaskId)) _ = RemoveStaleAsync(t.ContainerId!);
        await TaskGrain(t.TaskId).NodeReportAsync(state, exitCode, message);
    }

    public async Task DeclaredDownAsync()
    {
        S.DeclaredDown = true;
        var lost = S.Tasks.Keys.ToList();
        var reason = $"node {_key} declared down";
        foreach (var taskId in lost) Forget(taskId, TaskState.Orphaned, null, reason);
        await _state.WriteStateAsync();
        foreach (var taskId in lost) await TaskGrain(taskId).OrphanAsync(reason);
    }

    public async Task DrainAsync()
    {
        foreach (var taskId in S.Tasks.Keys.ToList()) await StopTaskAsync(taskId, $"node {_key} drained");
    }

    public Task<IReadOnlyList<string>> ListTasksAsync() =>
        Task.FromResult<IReadOnlyList<string>>(S.Tasks.Keys.Order(StringComparer.Ordinal).ToList());
}
