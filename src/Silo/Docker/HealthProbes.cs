using System.Collections.Concurrent;
using System.Net.Sockets;
using Orca.Grains.Grains;
using Orca.Grains.Model;

namespace Orca.Silo.Docker;

/// <summary>
/// The health checks Orca makes itself, Marathon style, from the silo that drives the node: an HTTP GET (200–399
/// passes; redirects are not followed, a 3xx is the answer) or a TCP connect, against the task's port at the node's
/// address. Docker runs command checks inside the container; these run outside it, so they see what a client sees.
/// Verdicts follow Docker's rules (first check one interval after the start, failures within the start period do not
/// count unless a check already passed, unhealthy after <c>Retries</c> failures in a row) and are reported only when
/// they change, as the same <see cref="ContainerEvent"/>s Docker's health_status events become. A probe is kept per
/// container and ends when the container is stopped, removed or dies; a silo that adopts running containers starts
/// their probes again from the check stored in the container's label (the start period then counts from adoption).
/// </summary>
public sealed class HealthProbes(string address, Action<ContainerEvent> report, TimeProvider? time = null) : IAsyncDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false, // probes go to the node, never through a proxy the environment names
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    });

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Probe> _probes = new();

    /// <summary>The address checks dial: the node's host name or IP.</summary>
    public string Address { get; } = address;

    /// <summary>Starts probing a container unless it is probed already.</summary>
    public void Watch(string containerId, string taskId, HealthCheck check)
    {
        if (!check.ByOrca || _probes.ContainsKey(containerId)) return;
        var probe = new Probe(containerId, taskId, check);
        if (_probes.TryAdd(containerId, probe)) probe.Loop = Task.Run(() => RunAsync(probe));
    }

    public void Forget(string containerId)
    {
        if (_probes.TryRemove(containerId, out var probe)) probe.Stop.Cancel();
    }

    /// <summary>The probe's verdict for a container: true healthy, false unhealthy, null none yet or not probed.</summary>
    public bool? Verdict(string containerId) => _probes.TryGetValue(containerId, out var p) ? p.Verdict : null;

    public bool Probes(string containerId) => _probes.ContainsKey(containerId);

    private async Task RunAsync(Probe p)
    {
        var ct = p.Stop.Token;
        long started = _time.GetTimestamp();
        int failures = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(p.Check.Interval, _time, ct);
                if (await PassesAsync(p.Check, ct))
                {
                    failures = 0;
                    Set(p, true);
                }
                else if (p.Verdict is not null || _time.GetElapsedTime(started) >= p.Check.StartPeriod)
                {
                    if (++failures >= p.Check.Retries) Set(p, false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Set(Probe p, bool healthy)
    {
        if (p.Verdict == healthy || p.Stop.IsCancellationRequested) return;
        p.Verdict = healthy;
        report(new ContainerEvent(p.ContainerId, p.TaskId, healthy ? ContainerEventKind.Healthy : ContainerEventKind.Unhealthy, 0));
    }

    /// <summary>One check within its timeout; any failure to connect or answer is a failed check.</summary>
    private async Task<bool> PassesAsync(HealthCheck check, CancellationToken stop)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
        cts.CancelAfter(check.Timeout);
        try
        {
            if (check.Test is ["TCP", ..])
            {
                using var client = new TcpClient();
                await client.ConnectAsync(Address, check.ProbePort, cts.Token);
                return true;
            }
            var uri = new UriBuilder(Uri.UriSchemeHttp, Address, check.ProbePort, check.ProbePath).Uri;
            using var response = await Http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            return (int)response.StatusCode is >= 200 and < 400;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException
                                      || (e is OperationCanceledException && !stop.IsCancellationRequested))
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        var probes = _probes.Values.ToList();
        _probes.Clear();
        foreach (var p in probes)
        {
            p.Stop.Cancel();
            if (p.Loop is { } loop) await loop.ContinueWith(_ => { });
        }
    }

    private sealed class Probe(string containerId, string taskId, HealthCheck check)
    {
        public string ContainerId { get; } = containerId;
        public string TaskId { get; } = taskId;
        public HealthCheck Check { get; } = check;
        public CancellationTokenSource Stop { get; } = new(); // not disposed: it has no timer, and Forget may cancel it late
        public Task? Loop { get; set; }
        private int _verdict; // 0 none yet, 1 healthy, 2 unhealthy; read by listings on other threads

        public bool? Verdict
        {
            get => Volatile.Read(ref _verdict) switch { 1 => true, 2 => false, _ => null };
            set => Volatile.Write(ref _verdict, value switch { true => 1, false => 2, null => 0 });
        }
    }
}
