using System.Reflection;
using System.Text.Json;
using Orca.Grains.Grains;
using Orca.Grains.Runtime;
using Orca.Silo.Persistence;
using Orca.Silo.Runtime;

namespace Orca.Silo.Cluster;

public sealed record ClusterOptions(string Name, string Address, string Secret)
{
    public TimeSpan HeartbeatPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A silo whose heartbeat is older than this is declared dead by the others.</summary>
    public TimeSpan DeadAfter { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>A silo that could not heartbeat for this long stops serving grains. Shorter than
    /// <see cref="DeadAfter"/>: it lets go of its grains before anyone else takes them over.</summary>
    public TimeSpan FenceAfter => DeadAfter / 2;
}

/// <summary>
/// One silo's part in a cluster: heartbeats its membership row, declares silos dead when their heartbeat is too
/// old, keeps the view of the active silos, routes each grain call to the grain's owner (rendezvous hash over the
/// view), and lets go of grains it no longer owns. Fencing: a silo that cannot reach the database for
/// <see cref="ClusterOptions.FenceAfter"/>, or finds its row declared dead, deactivates everything and refuses calls
/// until it has rejoined (with a new generation); the others only take its grains over after
/// <see cref="ClusterOptions.DeadAfter"/>.
/// </summary>
public sealed class SiloCluster : IGrainRouter, IAsyncDisposable
{
    private readonly ClusterOptions _options;
    private readonly SiloGrainRuntime _runtime;
    private readonly SqlGrainStateStore _store;
    private readonly RemoteCalls _remote;
    private readonly CancellationTokenSource _stop = new();
    private string[] _view;
    private volatile bool _fenced;
    private DateTimeOffset _lastHeartbeat = DateTimeOffset.UtcNow;
    private Task? _loop;

    public SiloCluster(ClusterOptions options, SiloGrainRuntime runtime, SqlGrainStateStore store)
    {
        _options = options;
        _runtime = runtime;
        _store = store;
        _remote = new RemoteCalls(options.Secret);
        Membership = new Membership(store, options.Name, options.Address);
        _view = [options.Address];
    }

    public Membership Membership { get; }
    public RemoteCalls Remote => _remote;
    public IReadOnlyList<string> View => Volatile.Read(ref _view);
    public bool Fenced => _fenced;
    public string Address => _options.Address;

    public async Task StartAsync()
    {
        await Membership.JoinAsync();
        await TickAsync();
        _loop = Task.Run(LoopAsync);
    }

    public string? RemoteOwner(Type grainInterface, string key)
    {
        var owner = Owner(grainInterface, key);
        return owner == _options.Address ? null : owner;
    }

    public string Owner(Type grainInterface, string key) => GrainDirectory.Owner($"{grainInterface.Name}/{key}", View);

    public async Task<JsonElement?> ForwardAsync(Type grainInterface, string key, MethodInfo method, object?[] args)
    {
        var call = RemoteCalls.Encode(grainInterface, key, method, args);
        var deadline = DateTimeOffset.UtcNow + _options.DeadAfter + TimeSpan.FromSeconds(5);
        for (int attempt = 0; ; attempt++)
        {
            var owner = Owner(grainInterface, key);
            if (owner == _options.Address) return await LocalAsync(grainInterface, key, method, args);
            try
            {
                return await _remote.SendAsync(owner, call);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTimeOffset.UtcNow < deadline)
            {
                // the owner does not answer: wait for the membership to say who owns the grain now
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * (attempt + 1))));
                await RefreshViewAsync();
            }
        }
    }

    /// <summary>Runs a call on this silo and returns its result as JSON (for a caller on another silo).</summary>
    public async Task<JsonElement?> LocalAsync(Type grainInterface, string key, MethodInfo method, object?[] args)
    {
        var task = _runtime.InvokeLocal(grainInterface, key, method, args);
        await task;
        var resultType = method.ReturnType.IsGenericType ? method.ReturnType.GetGenericArguments()[0] : null;
        if (resultType is null) return null;
        return JsonSerializer.SerializeToElement(task.GetType().GetProperty("Result")!.GetValue(task), resultType, OrcaJson.Options);
    }

    /// <summary>How often the first silo of the view re-announces the cluster (wakes every node grain, tells the
    /// scheduler every node): it repairs a wake-up lost while a dead silo was still in someone's view.</summary>
    public static readonly TimeSpan ReannounceEvery = TimeSpan.FromSeconds(10);

    private async Task LoopAsync()
    {
        var lastAnnounce = DateTimeOffset.UtcNow;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.HeartbeatPeriod, _stop.Token);
                await TickAsync();
                if (!_fenced && View[0] == _options.Address && DateTimeOffset.UtcNow - lastAnnounce >= ReannounceEvery)
                {
                    lastAnnounce = DateTimeOffset.UtcNow;
                    await _runtime.GetGrain<IClusterGrain>(IClusterGrain.Key).ResumeAsync();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"orca: membership: {e.Message}");
            }
        }
    }

    private async Task TickAsync()
    {
        bool alive;
        try
        {
            alive = await Membership.HeartbeatAsync(_runtime.ActivationCount);
            _lastHeartbeat = DateTimeOffset.UtcNow;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (!_fenced && DateTimeOffset.UtcNow - _lastHeartbeat > _options.FenceAfter)
                await FenceAsync($"no heartbeat written for {(DateTimeOffset.UtcNow - _lastHeartbeat).TotalSeconds:0.0}s ({e.Message})");
            return;
        }
        if (!alive)
        {
            await FenceAsync("the others declared this silo dead");
            await Membership.JoinAsync();
            Console.WriteLine($"orca: rejoined the cluster as generation {Membership.Generation}");
        }
        _fenced = false;
        await Membership.ExpireAsync(_options.DeadAfter);
        await RefreshViewAsync();
    }

    private async Task FenceAsync(string why)
    {
        _fenced = true;
        int n = await _runtime.DeactivateAsync((_, _) => true);
        Console.Error.WriteLine($"orca: fenced: {why}; {n} activations let go");
        Volatile.Write(ref _view, [_options.Address]);
    }

    /// <summary>Reads the active silos; when the view changed, lets go of grains now owned elsewhere, and the first
    /// silo of the view wakes the cluster and every service so moved grains come back from their state.</summary>
    private readonly SemaphoreSlim _refresh = new(1, 1);

    public async Task RefreshViewAsync()
    {
        await _refresh.WaitAsync(); // one refresh at a time: a slow, stale read must not overwrite a newer view
        try
        {
            await RefreshViewOnceAsync();
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task RefreshViewOnceAsync()
    {
        var rows = await Membership.ListAsync();
        var view = rows.Where(r => r.Status == SiloStatus.Active).Select(r => r.Address).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (view.Length == 0 || view.SequenceEqual(View)) return;
        Volatile.Write(ref _view, view);
        int moved = await _runtime.DeactivateAsync((t, k) => Owner(t, k) != _options.Address);
        Console.WriteLine($"orca: cluster view {string.Join(", ", view)}; {moved} activations moved away");
        if (view[0] == _options.Address) _ = ResumeGrainsAsync();
    }

    private async Task ResumeGrainsAsync()
    {
        try
        {
            await ControlPlane.ResumeAsync(_runtime, await _store.ListKeysAsync("service"));
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"orca: resuming grains after a view change: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop.ContinueWith(_ => { });
        try
        {
            await Membership.LeaveAsync();
        }
        catch (Exception) { }
    }
}
