using Orca.Grains.Grains;
using Orleans;
using Orleans.Runtime;

namespace Orca.Silo;

/// <summary>
/// Follows Orleans' membership and tells the cluster grain when a silo has been declared dead, so the grains that
/// lived there (node grains with their heartbeats and Docker event streams, service grains) come back on the survivors
/// at once rather than at their next keep-alive reminder. The host only signals; what is woken, and how, is the
/// cluster grain's one resume routine (the simulator sends the same signal when one of its silos is declared dead).
/// </summary>
internal sealed class SiloLossWatcher(IClusterMembershipService membership, IGrainFactory grains, ILocalSiloDetails self) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken ct)
    {
        var previous = membership.CurrentSnapshot;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(ct))
            {
                foreach (var change in snapshot.CreateUpdate(previous).Changes)
                {
                    if (change.Status != SiloStatus.Dead || change.SiloAddress.Equals(self.SiloAddress)) continue;
                    try
                    {
                        await grains.GetGrain<IClusterGrain>(IClusterGrain.Key).ResumeAllAsync($"silo {change.SiloAddress} lost");
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // the cluster grain's silo is the one that died and its directory entry is being moved: its
                        // keep-alive reminder brings it back, and its activation wakes everything anyway
                    }
                }
                previous = snapshot;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop.ContinueWith(_ => { });
        _stop.Dispose();
    }
}
