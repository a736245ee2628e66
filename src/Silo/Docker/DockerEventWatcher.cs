using Orca.Grains.Grains;
using Orca.Grains.Runtime;
using Docker.DotNet.Models;
using Orleans;

namespace Orca.Silo.Docker;

/// <summary>
/// Follows one Docker host's event stream and tells the node's grain when an Orca container dies or is OOM-killed.
/// When the stream breaks it reconnects (with a bounded backoff) and bumps the driver's incarnation, so the node
/// grain lists the containers again instead of trusting events it may have missed.
/// </summary>
public sealed class DockerEventWatcher(string nodeId, DockerDriver driver, IGrainFactory grains) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        bool first = true;
        while (!ct.IsCancellationRequested)
        {
            if (!first) driver.StreamReconnected(); // events may have been missed while the stream was down
            first = false;
            try
            {
                var filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["type"] = new Dictionary<string, bool> { ["container"] = true },
                    ["event"] = new Dictionary<string, bool> { ["die"] = true, ["oom"] = true, ["health_status"] = true },
                    ["label"] = new Dictionary<string, bool> { [$"{DockerDriver.NodeLabel}={nodeId}"] = true },
                };
                // Reported in order on the stream's own thread; the grain calls are one-way, so nothing waits here.
                await driver.Client.System.MonitorEventsAsync(new ContainerEventsParameters { Filters = filters }, new Reporter<Message>(e =>
                {
                    backoff = TimeSpan.FromMilliseconds(200);
                    var attributes = e.Actor?.Attributes;
                    if (attributes is null || !attributes.TryGetValue(DockerDriver.TaskLabel, out var task)) return;
                    var id = e.Actor!.ID;
                    if (e.Action == "die")
                    {
                        int.TryParse(attributes.TryGetValue("exitCode", out var code) ? code : null, out var exit);
                        driver.Probes?.Forget(id);
                        _ = grains.GetGrain<INodeGrain>(nodeId).ContainerEventAsync(new ContainerEvent(id, task, ContainerEventKind.Died, exit));
                    }
                    else if (e.Action == "oom")
                        _ = grains.GetGrain<INodeGrain>(nodeId).ContainerEventAsync(new ContainerEvent(id, task, ContainerEventKind.OutOfMemory, 137));
                    else if (e.Action is "health_status: healthy" or "health_status: unhealthy")
                        _ = grains.GetGrain<INodeGrain>(nodeId).ContainerEventAsync(new ContainerEvent(id, task,
                            e.Action.EndsWith(": healthy", StringComparison.Ordinal) ? ContainerEventKind.Healthy : ContainerEventKind.Unhealthy, 0));
                }), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // the daemon went away or the connection broke: reconnect below
            }
            try
            {
                await Task.Delay(backoff, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop.ContinueWith(_ => { });
        _stop.Dispose();
    }
}
