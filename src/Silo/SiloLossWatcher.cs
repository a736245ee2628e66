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
                    _ = ReportAsync($"silo {change.SiloAddress} lost", ct);
                }
                previous = snapshot;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Tells the cluster grain, after a moment for Orleans to move the dead silo's directory entries (until
    /// then a message to one of its grains may still be routed to the dead silo), and again while the call fails.</summary>
    private async Task ReportAsync(string cause, CancellationToken ct)
    {
        for (int attempt = 0; attempt < 10 && !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt == 0 ? 1 : 2), ct);
                await grains.GetGrain<IClusterGrain>(IClusterGrain.Key).ResumeAllAsync(cause);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // the cluster grain was on the dead silo and is not placed again yet: try again shortly
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop.ContinueWith(_ => { });
        _stop.Dispose();
    }
}
