using Orca.Grains.Grains;
using Orca.Grains.Runtime;
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
                await foreach (var e in driver.Client.EventsAsync(ct))
                {
                    backoff = TimeSpan.FromMilliseconds(200);
                    var action = e["Action"]?.GetValue<string>() ?? e["status"]?.GetValue<string>();
                    var attributes = e["Actor"]?["Attributes"];
                    var task = attributes?[DockerDriver.TaskLabel]?.GetValue<string>();
                    if (task is null || attributes?[DockerDriver.NodeLabel]?.GetValue<string>() != nodeId) continue;
                    var id = e["Actor"]?["ID"]?.GetValue<string>() ?? e["id"]!.GetValue<string>();
                    if (action == "die")
                    {
                        int.TryParse(attributes?["exitCode"]?.GetValue<string>(), out var exit);
                        await grains.GetGrain<INodeGrain>(nodeId).ContainerEventAsync(new ContainerEvent(id, task, ContainerEventKind.Died, exit));
                    }
                    else if (action == "oom")
                        await grains.GetGrain<INodeGrain>(nodeId).ContainerEventAsync(new ContainerEvent(id, task, ContainerEventKind.OutOfMemory, 137));
                }
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
